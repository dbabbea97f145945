package io.fomo.emission.epochs;

import static io.fomo.emission.EmissionFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.fomo.emission.EmissionFixtures;
import io.fomo.shared.events.types.EpochClosed;
import io.fomo.testkit.ServiceProcessResource;
import io.fomo.testkit.TestDatabase;
import io.fomo.shared.db.Db;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;

/**
 * Issue #20 with the OpenTelemetry SDK on: an epoch claimed in a span (as the inbox's consumer span of a traced
 * {@code EpochClosed}) keeps that span's traceparent with its row; the emission after the claim's commit
 * runs in {@code emission allocate epoch <n>}, a child of it, and the {@code EmissionAllocated} it enqueues carries that
 * span, so staking's effect continues the trace of the epoch's close. An epoch claimed without a trace keeps none.
 */
@QuarkusTest
@TestProfile(TracesOn.class)
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = ServiceProcessResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "service", value = "treasury"))
class EmissionTracesQuarkusTest {

    @Inject
    EmissionFixtures fx;

    @Inject
    RecordedSpans spans;

    @Inject
    OpenTelemetry openTelemetry;

    @Inject
    Db db;

    @Inject
    EpochService epochs;

    @Inject
    EmissionService emission;

    @BeforeEach
    void listen() {
        fx.listen();
    }

    @Test
    void theAllocationContinuesTheTraceOfTheEpochsClose() {
        long n = epochNumber();
        Instant start = Instant.parse("2026-11-24T00:00:00Z");
        String dep = id("dep-traced");
        fx.publish("DeploymentLive:" + dep, live(dep, id("owner"), start.minusSeconds(86_400)));
        fx.awaitProjected(dep);
        // the claim as the inbox's effect makes it: in a transaction opened under the consumer's span
        Span claim = openTelemetry.getTracer("test").spanBuilder("emission.epoch-closed EpochClosed")
                .setSpanKind(SpanKind.CONSUMER).startSpan();
        String traceId = claim.getSpanContext().getTraceId();
        try (var scope = claim.makeCurrent()) {
            db.transaction(tx -> epochs.claim(tx, new EpochService.ClaimEpoch("EpochClosed:" + n, n, start,
                    start.plusSeconds(86_400), List.of(new EpochStore.Revenue(dep, 4, java.math.BigInteger.valueOf(6_000_000))),
                    List.of()))).await().atMost(Duration.ofSeconds(30));
        } finally {
            claim.end();
        }
        assertThat(fx.row("SELECT traceparent FROM epoch WHERE epoch_idx = $1", n).string("traceparent"))
                .isEqualTo("00-" + traceId + "-" + claim.getSpanContext().getSpanId() + "-01");
        emission.kick(n);
        awaitState(n, "PUBLISHED");

        SpanData allocation = span(s -> s.getTraceId().equals(traceId) && s.getName().equals("emission allocate epoch " + n));
        assertThat(allocation.getParentSpanId()).as("a child of the claim's span").isEqualTo(claim.getSpanContext().getSpanId());
        assertThat(fx.row("SELECT traceparent FROM fomo_outbox WHERE event_id = $1", "EmissionAllocated:" + n).string("traceparent"))
                .as("EmissionAllocated enqueued in the allocation's span")
                .isEqualTo("00-" + traceId + "-" + allocation.getSpanId() + "-01");
        assertThat(span(s -> s.getTraceId().equals(traceId) && s.getKind() == SpanKind.CLIENT).getName())
                .as("the ledger call is in the trace").contains("Ledger");
    }

    @Test
    void anEpochClaimedWithoutATraceKeepsNone() {
        long n = epochNumber();
        Instant start = Instant.parse("2026-11-25T00:00:00Z");
        fx.publish("EpochClosed:" + n, new EpochClosed(n, start, start.plusSeconds(86_400), List.of()));
        awaitState(n, "PUBLISHED");
        assertThat(fx.row("SELECT traceparent FROM epoch WHERE epoch_idx = $1", n).string("traceparent")).isNull();
        assertThat(fx.row("SELECT traceparent FROM fomo_outbox WHERE event_id = $1", "EmissionAllocated:" + n).string("traceparent"))
                .isNull();
        assertThat(spans.all()).noneMatch(s -> s.getName().equals("emission allocate epoch " + n));
    }

    private SpanData span(Predicate<SpanData> which) {
        return await().atMost(Duration.ofSeconds(30))
                .until(() -> spans.all().stream().filter(which).findFirst(), Optional::isPresent).orElseThrow();
    }

}
