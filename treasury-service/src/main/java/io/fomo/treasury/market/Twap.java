package io.fomo.treasury.market;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;

/**
 * The time-weighted average price of a pool (SPEC §5 "its 1-hour time-weighted average"), Uniswap v2 style: each
 * pool keeps a cumulative sum of its spot price × milliseconds it held; before every change of its reserves the
 * sum is brought up to date with the spot price that held since the last change, and an observation
 * (time, cumulative) is stored. The average over a window is {@code (cumulative_now − cumulative_then) /
 * (now − then)} with the newest observation at or before {@code now − window} (the pool's first observation
 * when it is younger than the window). Prices are fixed-point integers ({@link #SCALE}): quote base units per
 * base base unit.
 */
public final class Twap {

    /** Fixed-point scale of prices: 10^36 keeps 0.5 USDC per FLOCK (5·10^-13 in base units) exact enough. */
    public static final BigInteger SCALE = BigInteger.TEN.pow(36);

    private Twap() {
    }

    /** The cumulative sum at {@code now}, given its value at {@code at} and the spot price held since. */
    public static BigInteger accumulate(BigInteger cumulative, Instant at, BigInteger spot, Instant now) {
        long millis = Math.max(0, Duration.between(at, now).toMillis());
        return cumulative.add(spot.multiply(BigInteger.valueOf(millis)));
    }

    /**
     * The average price between an observation and now; the spot price itself when no time has passed.
     */
    public static BigInteger average(BigInteger cumulativeNow, Instant now, BigInteger observedCumulative,
            Instant observedAt, BigInteger spot) {
        long millis = Duration.between(observedAt, now).toMillis();
        if (millis <= 0) {
            return spot;
        }
        return cumulativeNow.subtract(observedCumulative).divide(BigInteger.valueOf(millis));
    }

    /** Whether spot is more than {@code boundBps} away from the average: {@code |spot − twap| × 10000 > b × twap}. */
    public static boolean deviates(BigInteger spot, BigInteger twap, int boundBps) {
        if (twap.signum() <= 0) {
            return true;
        }
        BigInteger distance = spot.subtract(twap).abs().multiply(BigInteger.valueOf(SwapMath.BPS));
        return distance.compareTo(twap.multiply(BigInteger.valueOf(boundBps))) > 0;
    }

    /** Deviation in basis points (floored), for reports. */
    public static BigInteger deviationBps(BigInteger spot, BigInteger twap) {
        if (twap.signum() <= 0) {
            return BigInteger.ZERO;
        }
        return spot.subtract(twap).multiply(BigInteger.valueOf(SwapMath.BPS)).divide(twap);
    }
}
