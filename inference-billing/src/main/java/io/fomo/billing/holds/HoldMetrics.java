package io.fomo.billing.holds;

import java.math.BigInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;

/** Metrics {@code fomo.billing.uncollected} (USDC base units) and {@code fomo.billing.uncollected.captures}. */
final class HoldMetrics {

    private static final Counter UNCOLLECTED_UNITS = Counter.builder("fomo.billing.uncollected").baseUnit("usdc_base_units")
            .description("Charges of served requests that neither the hold nor the free credits could cover")
            .register(Metrics.globalRegistry);

    private static final Counter UNCOLLECTED_CAPTURES = Counter.builder("fomo.billing.uncollected.captures")
            .description("Captures with an uncollected part").register(Metrics.globalRegistry);

    private HoldMetrics() {
    }

    /** A capture left {@code units} uncollected ({@link CaptureAboveHold}). */
    static void uncollected(BigInteger units) {
        UNCOLLECTED_UNITS.increment(units.doubleValue());
        UNCOLLECTED_CAPTURES.increment();
    }
}
