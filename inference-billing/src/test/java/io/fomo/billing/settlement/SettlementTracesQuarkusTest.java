package io.fomo.billing.settlement;

import static io.fomo.billing.BillingFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.fomo.billing.catalog.Catalog;
import io.fomo.grpc.billing.v1.AuthorizeRequest;
import io.fomo.grpc.billing.v1.CaptureRequest;
import io.fomo.shared.db.Db;
import io.fomo.testkit.TestDatabase;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;

/**
 * Issue #20 with the OpenTelemetry SDK on: each capture stores its request's traceparent (the Capture call's server
 * span); the window settlement and the epoch close each run in a span of their own that links to the captures' traces
 * (at most {@code fomo.billing.trace-links.max}, here 2, with the total as {@code fomo.captures.count}), and their
 * {@code WindowSettled} / {@code EpochClosed} outbox rows carry that span, so the consumers continue its trace.
 */
@QuarkusTest
@TestProfile(TracesOn.class)
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class SettlementTracesQuarkusTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    Catalog catalog;

    @Inject
    Db db;

    @Inject
    RecordedSpans spans;

    @Test
    void theSettlementSpansLinkToTheCapturesRequestsAndCarryTheirEvents() {
        String dep = deployment(catalog, "alice");
        String user = fundedUser("10");
        List<String> holds = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            var hold = platform().authorize(AuthorizeRequest.newBuilder().setRequestId("a-" + UUID.randomUUID()).setUserId(user)
                    .setDeploymentId(dep).setMaxInputTokens(1000).setMaxOutputTokens(100).build());
            platform().capture(CaptureRequest.newBuilder().setRequestId("c-" + UUID.randomUUID()).setHoldId(hold.getHoldId())
                    .setInputTokens(900).setOutputTokens(90).build());
            holds.add(hold.getHoldId());
        }

        // each capture's traceparent is its Capture call's server span
        List<String> traceparents = new ArrayList<>();
        for (String hold : holds) {
            String traceparent = text("SELECT traceparent AS v FROM capture WHERE hold_id = $1::uuid", hold);
            assertThat(traceparent).as("capture of hold " + hold).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
            SpanData server = await("the Capture server span").atMost(WAIT)
                    .until(() -> span(s -> s.getTraceId().equals(traceId(traceparent)) && s.getKind() == SpanKind.SERVER
                            && s.getName().endsWith("Capture")), Optional::isPresent).orElseThrow();
            assertThat(server.getSpanId()).isEqualTo(spanId(traceparent));
            traceparents.add(traceparent);
        }
        long window = Long.parseLong(text("SELECT min(window_idx)::text AS v FROM capture WHERE hold_id = $1::uuid", holds.get(0)));
        long windowCaptures = Long.parseLong(text(
                "SELECT count(*)::text AS v FROM capture WHERE deployment_id = $1 AND window_idx = $2", dep, window));
        long epoch = Long.parseLong(text("SELECT min(epoch_idx)::text AS v FROM capture WHERE hold_id = $1::uuid", holds.get(0)));
        long epochCaptures = Long.parseLong(text(
                "SELECT count(*)::text AS v FROM capture WHERE deployment_id = $1 AND epoch_idx = $2", dep, epoch));

        // the window's span: linked to (at most 2 of) its captures' requests, WindowSettled enqueued in it
        SpanData settle = await("the window's settlement span").atMost(WAIT)
                .until(() -> span(s -> s.getName().equals("billing settle window " + dep + " " + window)), Optional::isPresent)
                .orElseThrow();
        assertThat(settle.getAttributes().get(AttributeKey.longKey(SettlementTraces.CAPTURES))).isEqualTo(windowCaptures);
        assertThat(settle.getLinks()).hasSize((int) Math.min(2, windowCaptures));
        assertThat(settle.getAttributes().get(AttributeKey.longKey(SettlementTraces.LINKED))).isEqualTo(settle.getLinks().size());
        assertThat(settle.getLinks()).allSatisfy(l -> assertThat(traceparents).contains(traceparent(l)));
        assertThat(text("SELECT traceparent AS v FROM fomo_outbox WHERE event_id = $1", "WindowSettled:" + window + ":" + dep))
                .isEqualTo("00-" + settle.getTraceId() + "-" + settle.getSpanId() + "-01");

        // the epoch's span: linked to its captures' requests, EpochClosed enqueued in it
        SpanData close = await("the epoch's close span").atMost(WAIT)
                .until(() -> span(s -> s.getName().equals("billing close epoch " + epoch)), Optional::isPresent).orElseThrow();
        assertThat(close.getAttributes().get(AttributeKey.longKey(SettlementTraces.CAPTURES))).isGreaterThanOrEqualTo(epochCaptures);
        assertThat(close.getLinks()).hasSize(2);
        assertThat(text("SELECT traceparent AS v FROM fomo_outbox WHERE event_id = $1", "EpochClosed:" + epoch))
                .isEqualTo("00-" + close.getTraceId() + "-" + close.getSpanId() + "-01");
        assertThat(close.getTraceId()).as("a trace of its own").isNotIn(traceparents.stream().map(t -> traceId(t)).toList());
    }

    private Optional<SpanData> span(java.util.function.Predicate<SpanData> which) {
        return spans.all().stream().filter(which).findFirst();
    }

    private static String traceparent(LinkData link) {
        return "00-" + link.getSpanContext().getTraceId() + "-" + link.getSpanContext().getSpanId() + "-01";
    }

    private static String traceId(String traceparent) {
        return traceparent.substring(3, 35);
    }

    private static String spanId(String traceparent) {
        return traceparent.substring(36, 52);
    }

    private String text(String sql, Object... params) {
        return db.session(tx -> tx.one(sql, params)).map(r -> r.string("v")).await().atMost(WAIT);
    }
}
