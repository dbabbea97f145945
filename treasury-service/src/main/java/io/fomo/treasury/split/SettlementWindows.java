package io.fomo.treasury.split;

import java.time.Duration;
import java.time.Instant;

/**
 * The settlement windows the buyback carries follow (SPEC §4 "Settlement window (default 1 hour)", §5 "carries the
 * rest to the next window (every window, whether or not the model earned in it)"): billing's arithmetic, origin
 * 1970-01-01T00:00Z, window w covers [w·L, (w+1)·L), so with the same length ({@code
 * fomo.treasury.split.settlement-window} = billing's {@code fomo.billing.window}) a carry run and a {@code
 * WindowSettled} of the same window carry the same number. Plain arithmetic.
 */
public record SettlementWindows(Duration length, Duration delay) {

    public SettlementWindows {
        if (length == null || length.toMillis() <= 0) {
            throw new IllegalArgumentException("fomo.treasury.split.settlement-window must be positive, was " + length);
        }
        if (delay == null || delay.isNegative()) {
            throw new IllegalArgumentException("fomo.treasury.split.carry-delay must not be negative, was " + delay);
        }
    }

    public Instant start(long window) {
        return Instant.ofEpochMilli(window * length.toMillis());
    }

    public Instant end(long window) {
        return start(window + 1);
    }

    /**
     * The window whose carries are retried at {@code now}: the last one whose end plus {@code delay} (the time its own
     * {@code WindowSettled} has to arrive, which retries the carry itself) has passed.
     */
    public long due(Instant now) {
        return Math.floorDiv(now.minus(delay).toEpochMilli(), length.toMillis()) - 1;
    }
}
