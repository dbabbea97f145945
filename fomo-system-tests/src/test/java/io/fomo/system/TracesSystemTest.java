package io.fomo.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.fomo.system.OtlpReceiver.ReceivedSpan;

/**
 * Issue #20's traces across the services: every service exports its spans (OTLP/HTTP) to a receiver in this JVM, the
 * demo tells the story up to Bob's stake, and ONE trace follows that request through three services: staking's REST
 * {@code POST /api/v1/stakes} (server span), the treasury's ledger transfer it calls over gRPC (server span, a child
 * through the gRPC metadata), and billing's inbox effect of the {@code StakeChanged} event that staking's outbox
 * recorded in the same request (consumer span, a child through the outbox row and the message's {@code traceparent}).
 */
class TracesSystemTest {

    private static final int SERVER = 2;
    private static final int CONSUMER = 5;

    @Test
    void oneStakeRequestIsOneTraceAcrossStakingTreasuryAndBilling() {
        try (OtlpReceiver otlp = OtlpReceiver.start()) {
            Map<String, String> traces = Map.of(
                    "quarkus.otel.sdk.disabled", "false",
                    "quarkus.otel.exporter.otlp.traces.protocol", "http/protobuf",
                    "quarkus.otel.exporter.otlp.traces.endpoint", otlp.endpoint(),
                    "quarkus.otel.bsp.schedule.delay", "PT0.2S");
            try (Suite suite = Suite.start("system_traces_test", false, traces)) {
                DemoRun.Outcome outcome = new DemoRun().stopAt("The operator tops up").run(suite);
                assertThat(String.join("\n", outcome.output())).contains("Bob stakes");

                ReceivedSpan effect = await("billing's StakeChanged effect in the trace of a stake request")
                        .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                        .until(() -> stakeTrace(otlp.spans()), Optional::isPresent).orElseThrow();

                List<ReceivedSpan> trace = otlp.spans().stream().filter(s -> s.traceId().equals(effect.traceId())).toList();
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
        }
    }

    /** Billing's consumer span of a StakeChanged whose trace also has staking's request span as its root. */
    private static Optional<ReceivedSpan> stakeTrace(List<ReceivedSpan> spans) {
        return spans.stream()
                .filter(s -> "inference-billing".equals(s.service()) && s.kind() == CONSUMER && s.name().endsWith("StakeChanged"))
                .filter(effect -> spans.stream().anyMatch(s -> s.traceId().equals(effect.traceId())
                        && "staking-service".equals(s.service()) && s.kind() == SERVER && s.parentSpanId().isEmpty()))
                .findFirst();
    }
}
