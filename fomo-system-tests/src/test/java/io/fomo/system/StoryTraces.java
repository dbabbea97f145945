package io.fomo.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import io.fomo.system.OtlpReceiver.ReceivedSpan;

/**
 * Issue #20's traces across the services, checked on {@link StorySystemTest}'s suite (one suite start for the story
 * and its traces): every service exports its spans (OTLP/HTTP) to a receiver in the test's JVM while the demo tells
 * the story (Bob's claim is in it, so the epoch was emitted). Then:
 * <ul>
 * <li>ONE trace follows a stake request through three services: staking's REST {@code POST /api/v1/stakes} (server
 * span), the treasury's ledger transfer it calls over gRPC (server span, a child through the gRPC metadata), and
 * billing's inbox effect of the {@code StakeChanged} event that staking's outbox recorded in the same request
 * (consumer span, a child through the outbox row and the message's {@code traceparent});</li>
 * <li>one inference request is followed from its capture to the split and the emission: billing's {@code Capture}
 * server span (its own trace) is <b>linked</b> from the span that settled its window, whose trace holds the treasury's
 * split (its {@code WindowSettled} consumer span), and from the span that closed its epoch, whose trace holds the
 * emission's {@code EpochClosed} effect. (The allocation after the claim and staking's {@code EmissionAllocated} effect
 * continue that trace through the claim's stored traceparent: emission's {@code EmissionTracesQuarkusTest}.)</li>
 * </ul>
 */
interface StoryTraces {

    int SERVER = 2;
    int CONSUMER = 5;
    Duration WAIT = Duration.ofSeconds(60);

    /** The configuration that has every service export its spans to {@code otlp}. */
    static Map<String, String> exportingTo(OtlpReceiver otlp) {
        return Map.of(
                "quarkus.otel.sdk.disabled", "false",
                "quarkus.otel.exporter.otlp.traces.protocol", "http/protobuf",
                "quarkus.otel.exporter.otlp.traces.endpoint", otlp.endpoint(),
                "quarkus.otel.bsp.schedule.delay", "PT0.2S");
    }

    /** The receiver the suite's services export to. */
    OtlpReceiver otlp();

    /** The demo's run of the story on that suite. */
    DemoRun.Outcome outcome();

    @Test
    @Order(2)
    default void oneStakeRequestIsOneTraceAcrossStakingTreasuryAndBilling() {
        assertThat(String.join("\n", outcome().output())).contains("Bob stakes");

        ReceivedSpan effect = await("billing's StakeChanged effect in the trace of a stake request")
                .atMost(WAIT).pollInterval(Duration.ofMillis(250))
                .until(() -> stakeTrace(otlp().spans()), Optional::isPresent).orElseThrow();

        List<ReceivedSpan> trace = trace(effect.traceId());
        Set<String> services = trace.stream().map(ReceivedSpan::service).collect(Collectors.toSet());
        assertThat(services).as("the services in trace " + effect.traceId())
                .contains("staking-service", "treasury-service", "inference-billing");
        ReceivedSpan request = trace.stream().filter(s -> s.service().equals("staking-service") && s.kind() == SERVER
                && s.parentSpanId().isEmpty()).findFirst().orElseThrow();
        assertThat(request.name()).as("the trace's root").contains("/api/v1/stakes");
        assertThat(trace).as("the ledger call, a child of the stake request")
                .anySatisfy(s -> {
                    assertThat(s.service()).isEqualTo("treasury-service");
                    assertThat(s.kind()).isEqualTo(SERVER);
                    assertThat(s.name()).contains("Ledger");
                });
        assertThat(trace).as("billing's effect is a child of a span of the stake request, which enqueued the event")
                .anySatisfy(s -> {
                    assertThat(s.service()).isEqualTo("staking-service");
                    assertThat(s.spanId()).isEqualTo(effect.parentSpanId());
                });
    }

    @Test
    @Order(3)
    default void oneInferenceRequestIsFollowedFromItsCaptureToTheSplitAndTheEmission() {
        assertThat(String.join("\n", outcome().output())).contains("Bob claims his rewards");

        // the request: billing's Capture server span, the root of its trace (the API platform stand-in sends none)
        ReceivedSpan capture = await("a Capture span").atMost(WAIT).pollInterval(Duration.ofMillis(250))
                .until(() -> first(s -> "inference-billing".equals(s.service()) && s.kind() == SERVER
                        && s.name().endsWith("Capture") && s.parentSpanId().isEmpty()), Optional::isPresent)
                .orElseThrow();

        // its window's settlement: a span of its own trace, linked to the capture's request
        ReceivedSpan settle = await("the settlement span linked to the capture").atMost(WAIT).pollInterval(Duration.ofMillis(250))
                .until(() -> first(s -> s.name().startsWith("billing settle window ") && s.linksTo(capture.traceId())),
                        Optional::isPresent)
                .orElseThrow();
        assertThat(settle.service()).isEqualTo("inference-billing");
        assertThat(settle.links()).as("the link names the Capture span itself")
                .anySatisfy(l -> assertThat(l.spanId()).isEqualTo(capture.spanId()));
        assertThat(Long.parseLong(settle.attributes().get("fomo.captures.count"))).isGreaterThanOrEqualTo(1);
        assertThat(settle.traceId()).isNotEqualTo(capture.traceId());
        ReceivedSpan split = await("the treasury's split in the settlement's trace").atMost(WAIT).pollInterval(Duration.ofMillis(250))
                .until(() -> first(s -> s.traceId().equals(settle.traceId()) && "treasury-service".equals(s.service())
                        && s.kind() == CONSUMER && s.name().endsWith("WindowSettled")), Optional::isPresent)
                .orElseThrow();
        assertThat(split.parentSpanId()).as("WindowSettled was enqueued in the settlement span").isEqualTo(settle.spanId());

        // its epoch's close: linked to the capture's request, continued by emission's claim
        ReceivedSpan close = await("the epoch's close span linked to the capture").atMost(WAIT).pollInterval(Duration.ofMillis(250))
                .until(() -> first(s -> s.name().startsWith("billing close epoch ") && s.linksTo(capture.traceId())),
                        Optional::isPresent)
                .orElseThrow();
        String epoch = close.name().substring("billing close epoch ".length());
        ReceivedSpan claim = await("emission's EpochClosed effect in the epoch's trace").atMost(WAIT).pollInterval(Duration.ofMillis(250))
                .until(() -> first(s -> s.traceId().equals(close.traceId()) && "emission-service".equals(s.service())
                        && s.kind() == CONSUMER && s.name().endsWith("EpochClosed")), Optional::isPresent)
                .orElseThrow();
        assertThat(claim.parentSpanId()).as("EpochClosed was enqueued in the close span").isEqualTo(close.spanId());
        assertThat(trace(close.traceId()).stream().map(ReceivedSpan::service).collect(Collectors.toSet()))
                .as("the epoch's trace crosses billing and emission")
                .contains("inference-billing", "emission-service");
    }

    /** Billing's consumer span of a StakeChanged whose trace also has staking's request span as its root. */
    private static Optional<ReceivedSpan> stakeTrace(List<ReceivedSpan> spans) {
        return spans.stream()
                .filter(s -> "inference-billing".equals(s.service()) && s.kind() == CONSUMER && s.name().endsWith("StakeChanged"))
                .filter(effect -> spans.stream().anyMatch(s -> s.traceId().equals(effect.traceId())
                        && "staking-service".equals(s.service()) && s.kind() == SERVER && s.parentSpanId().isEmpty()))
                .findFirst();
    }

    private Optional<ReceivedSpan> first(Predicate<ReceivedSpan> which) {
        return otlp().spans().stream().filter(which).findFirst();
    }

    private List<ReceivedSpan> trace(String traceId) {
        return otlp().spans().stream().filter(s -> s.traceId().equals(traceId)).toList();
    }
}
