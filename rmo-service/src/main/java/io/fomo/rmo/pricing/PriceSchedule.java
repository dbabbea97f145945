package io.fomo.rmo.pricing;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import io.fomo.shared.errors.ErrorCode;

/**
 * SPEC §7a re-pricing as pure rules (issue #22; jqwik properties in {@code PriceScheduleProperties}):
 * <ul>
 *   <li>{@link #effectiveFrom}: new prices take effect at the first settlement window starting at or after
 *       {@code announcedAt + notice}, on billing's grid: window w covers [w·L, (w+1)·L) from 1970-01-01T00:00Z, L =
 *       {@code fomo.rmo.settlement-window} (= billing's {@code fomo.billing.window}); so a request is never priced
 *       with two price lists inside one window.</li>
 *   <li>{@link #inForce}: the prices in force at t are the version with the greatest {@code effectiveFrom <= t}, ties
 *       by the highest version (several scheduled re-prices may wait; the latest announced of those due wins).</li>
 *   <li>{@link #requireAtLeastCost}: a price is never below its compute cost, and inference never goes free (the same
 *       rule as the registration's).</li>
 * </ul>
 * Times are whole microseconds (the database's precision).
 */
public final class PriceSchedule {

    /** One version of a deployment's prices (version 0: the launch prices, effective when it went live). */
    public record Price(long version, BigInteger input, BigInteger output, Instant effectiveFrom) {
    }

    private PriceSchedule() {
    }

    /** The window length in microseconds; it must be a positive whole number of them. */
    public static long windowMicros(Duration window) {
        if (window == null || window.isNegative() || window.isZero() || window.getNano() % 1000 != 0) {
            throw new IllegalArgumentException("fomo.rmo.settlement-window must be a positive whole number of microseconds: "
                    + window);
        }
        return Math.multiplyExact(window.getSeconds(), 1_000_000L) + window.getNano() / 1000;
    }

    /** The start of the first settlement window at or after {@code announcedAt + notice}. */
    public static Instant effectiveFrom(Instant announcedAt, Duration notice, Duration window) {
        if (notice.isNegative()) {
            throw new IllegalArgumentException("fomo.rmo.reprice.notice must not be negative: " + notice);
        }
        long l = windowMicros(window);
        long earliest = micros(announcedAt.plus(notice));
        long w = -Math.floorDiv(-earliest, l); // ceil(earliest / L)
        return fromMicros(Math.multiplyExact(w, l));
    }

    /** The settlement window {@code t} lies in. */
    public static long windowOf(Instant t, Duration window) {
        return Math.floorDiv(micros(t), windowMicros(window));
    }

    /** The prices in force at {@code t}: greatest {@code effectiveFrom <= t}, ties by the highest version. */
    public static Optional<Price> inForce(List<Price> history, Instant t) {
        return history.stream().filter(p -> p.effectiveFrom() != null && !p.effectiveFrom().isAfter(t))
                .max(Comparator.comparing(Price::effectiveFrom).thenComparingLong(Price::version));
    }

    /** SPEC §3/§7a: {@code PRICE_BELOW_COST} when a price is below its compute cost or both prices are 0. */
    public static void requireAtLeastCost(BigInteger inPrice, BigInteger outPrice, BigInteger inCost, BigInteger outCost) {
        if (inPrice.compareTo(inCost) < 0 || outPrice.compareTo(outCost) < 0) {
            throw ErrorCode.PRICE_BELOW_COST.problem("a price below its compute cost is rejected");
        }
        if (inPrice.signum() == 0 && outPrice.signum() == 0) {
            throw ErrorCode.PRICE_BELOW_COST.problem("inference never goes free: a price must be > 0");
        }
    }

    static long micros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
    }

    static Instant fromMicros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
    }
}
