package io.fomo.rmo.vesting;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;

/**
 * "Operator allocation vests linearly over 365 days after a 90-day cliff" (SPEC §3). Read as: nothing vests before
 * {@code start + cliff}; from then on the allocation vests linearly over {@code duration}, fully at
 * {@code start + cliff + duration}. Time is counted in whole seconds; the vested amount is floored, so the owner
 * never receives more than vested and the last second releases the rest exactly.
 */
public record VestingSchedule(BigInteger total, Instant start, Duration cliff, Duration duration) {

    public BigInteger vestedAt(Instant now) {
        Instant cliffEnd = start.plus(cliff);
        if (now.isBefore(cliffEnd)) {
            return BigInteger.ZERO;
        }
        long elapsed = Duration.between(cliffEnd, now).getSeconds();
        long length = duration.getSeconds();
        if (length <= 0 || elapsed >= length) {
            return total;
        }
        return total.multiply(BigInteger.valueOf(elapsed)).divide(BigInteger.valueOf(length));
    }

    /** What may be claimed now after {@code claimed} was claimed before. */
    public BigInteger claimableAt(Instant now, BigInteger claimed) {
        BigInteger c = vestedAt(now).subtract(claimed);
        return c.signum() < 0 ? BigInteger.ZERO : c;
    }
}
