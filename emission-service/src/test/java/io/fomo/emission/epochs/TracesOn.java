package io.fomo.emission.epochs;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** The test app with the OpenTelemetry SDK on (as on Kubernetes), spans to {@link RecordedSpans}, no OTLP exporter. */
public class TracesOn implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "quarkus.otel.sdk.disabled", "false",
                "quarkus.otel.exporter.otlp.enabled", "false",
                "quarkus.otel.bsp.schedule.delay", "PT0.05S");
    }
}
