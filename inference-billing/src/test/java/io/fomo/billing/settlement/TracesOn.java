package io.fomo.billing.settlement;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The test app with the OpenTelemetry SDK on (as on Kubernetes), spans to {@link RecordedSpans}, no OTLP exporter, and
 * at most 2 links per settlement span (to see the bound with 3 captures).
 */
public class TracesOn implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "quarkus.otel.sdk.disabled", "false",
                "quarkus.otel.exporter.otlp.enabled", "false",
                "quarkus.otel.bsp.schedule.delay", "PT0.05S",
                "fomo.billing.trace-links.max", "2");
    }
}
