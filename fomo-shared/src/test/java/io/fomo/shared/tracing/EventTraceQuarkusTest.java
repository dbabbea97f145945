package io.fomo.shared.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.fomo.shared.db.Db;
import io.fomo.shared.events.CounterBumped;
import io.fomo.shared.events.Outbox;
import io.fomo.testkit.TestDatabase;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;

/**
 * Issue #20 with the OpenTelemetry SDK on: an event enqueued under a span keeps its trace through the outbox row, the
 * relay's message headers and the consumer's inbox, whose effect span is a child of the producer's span; an event
 * enqueued under no span carries none and its effect is not traced.
 */
@QuarkusTest
@TestProfile(TracesOn.class)
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class EventTraceQuarkusTest {

    @Inject
    Outbox outbox;

    @Inject
    Db db;

    @Inject
    OpenTelemetry openTelemetry;

    @Inject
    RecordedSpans spans;

    @Test
    void theConsumersEffectIsAChildOfTheSpanThatEnqueuedTheEvent() {
        String name = "traced-" + UUID.randomUUID();
        Span request = openTelemetry.getTracer("test").spanBuilder("a request").setSpanKind(SpanKind.SERVER).startSpan();
        try (var scope = request.makeCurrent()) {
            // Db hands the caller's trace on to the unit of work, where the outbox reads it.
            db.transaction(tx -> outbox.enqueue(tx, name, new CounterBumped(name, 1))).await().atMost(Duration.ofSeconds(20));
        } finally {
            request.end();
        }
        String traceId = request.getSpanContext().getTraceId();

        assertThat(column(name, "traceparent"))
                .isEqualTo("00-" + traceId + "-" + request.getSpanContext().getSpanId() + "-01");
        SpanData effect = await("the consumer's span").atMost(Duration.ofSeconds(30)).until(() -> effectSpan(name), Optional::isPresent)
                .orElseThrow();
        assertThat(effect.getName()).isEqualTo("counter CounterBumped");
        assertThat(effect.getKind()).isEqualTo(SpanKind.CONSUMER);
        assertThat(effect.getTraceId()).isEqualTo(traceId);
        assertThat(effect.getParentSpanId()).isEqualTo(request.getSpanContext().getSpanId());
        assertThat(effect.getParentSpanContext().isRemote()).as("extracted from the message's headers").isTrue();
        assertThat(effect.hasEnded()).isTrue();
    }

    @Test
    void anEventEnqueuedUnderNoSpanCarriesNoTrace() {
        String name = "untraced-" + UUID.randomUUID();
        db.transaction(tx -> outbox.enqueue(tx, name, new CounterBumped(name, 1))).await().atMost(Duration.ofSeconds(20));
        String marker = "traced-marker-" + UUID.randomUUID();
        Span request = openTelemetry.getTracer("test").spanBuilder("a later request").startSpan();
        try (var scope = request.makeCurrent()) {
            db.transaction(tx -> outbox.enqueue(tx, marker, new CounterBumped(marker, 1))).await().atMost(Duration.ofSeconds(20));
        } finally {
            request.end();
        }

        assertThat(column(name, "traceparent")).isNull();
        assertThat(column(name, "tracestate")).isNull();
        // The relay publishes in order: once the later, traced event's effect is recorded, the first one was consumed.
        await("the marker's span").atMost(Duration.ofSeconds(30)).until(() -> effectSpan(marker), Optional::isPresent);
        assertThat(effectSpan(name)).isEmpty();
    }

    private Optional<SpanData> effectSpan(String eventId) {
        return spans.all().stream()
                .filter(s -> eventId.equals(s.getAttributes().get(AttributeKey.stringKey("messaging.message.id"))))
                .filter(s -> "counter".equals(s.getAttributes().get(AttributeKey.stringKey("fomo.consumer"))))
                .findFirst();
    }

    private String column(String eventId, String column) {
        return db.session(tx -> tx.one("SELECT " + column + " FROM fomo_outbox WHERE event_id = $1", eventId))
                .map(row -> row.string(column)).await().atMost(Duration.ofSeconds(20));
    }
}
