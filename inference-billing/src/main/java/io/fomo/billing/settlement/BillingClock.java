package io.fomo.billing.settlement;

import java.time.Duration;
import java.time.Instant;

import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import io.fomo.billing.BillingConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Window and epoch arithmetic (origin 1970-01-01T00:00Z): window w covers [w·L, (w+1)·L), epoch e covers
 * [e·E, (e+1)·E). The epoch length must be a whole number of windows, so every window lies in exactly one epoch.
 */
@ApplicationScoped
@Startup
public class BillingClock {

    @Inject
    BillingConfig config;

    Duration window;

    Duration epoch;

    Duration epochGrace;

    Duration settleDelay;

    public BillingClock() {
    }

    /** A clock outside CDI (the property test). */
    public BillingClock(Duration window, Duration epoch, Duration epochGrace, Duration settleDelay) {
        this.window = window;
        this.epoch = epoch;
        this.epochGrace = epochGrace;
        this.settleDelay = settleDelay;
        check();
    }

    @PostConstruct
    void init() {
        window = config.window();
        epoch = config.epoch();
        epochGrace = config.epochGrace();
        settleDelay = config.settleDelay();
        check();
    }

    void check() {
        if (window.toMillis() <= 0 || epoch.toMillis() <= 0 || epoch.toMillis() % window.toMillis() != 0) {
            throw new IllegalStateException("fomo.billing.epoch (" + epoch + ") must be a positive whole multiple of fomo.billing.window (" + window + ")");
        }
    }

    /** {@code fomo.billing.settle-delay} (a method: callers reach this bean through its CDI proxy). */
    public Duration settleDelay() {
        return settleDelay;
    }

    public long windowMillis() {
        return window.toMillis();
    }

    public long epochMillis() {
        return epoch.toMillis();
    }

    public long windowOf(Instant t) {
        return Math.floorDiv(t.toEpochMilli(), windowMillis());
    }

    public long epochOfWindow(long w) {
        return Math.floorDiv(w * windowMillis(), epochMillis());
    }

    public long epochOf(Instant t) {
        return Math.floorDiv(t.toEpochMilli(), epochMillis());
    }

    public Instant windowStart(long w) {
        return Instant.ofEpochMilli(w * windowMillis());
    }

    public Instant epochStart(long e) {
        return Instant.ofEpochMilli(e * epochMillis());
    }

    /** The last window whose end plus the settle delay has passed at {@code now}. */
    public long lastSettleableWindow(Instant now) {
        return Math.floorDiv(now.minus(settleDelay).toEpochMilli(), windowMillis()) - 1;
    }

    /** The last epoch whose end plus the grace period has passed at {@code now}. */
    public long lastClosableEpoch(Instant now) {
        return Math.floorDiv(now.minus(epochGrace).toEpochMilli(), epochMillis()) - 1;
    }

    /** When epoch {@code e} may close: its end plus {@code fomo.billing.epoch-grace}. */
    public Instant epochClosableAt(long e) {
        return epochStart(e + 1).plus(epochGrace);
    }

    /** First window of epoch {@code e}. */
    public long firstWindowOfEpoch(long e) {
        return e * (epochMillis() / windowMillis());
    }
}
