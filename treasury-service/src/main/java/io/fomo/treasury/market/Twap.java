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

    /**
     * A fixed-point price (quote base units per base base unit × {@link #SCALE}) as quote tokens per whole base token
     * with 18 decimals (floored): × 10^baseDecimals / 10^quoteDecimals / SCALE. Formatted like an amount (canonical
     * decimal string) but without an amount's 39-digit bound: a pool drained to a few base units of one side has a
     * price beyond it (1 FLOCK base unit against 1,000 USDC is 10^21 USDC per FLOCK), and its quote, listing and
     * splits must still answer.
     */
    public static String format(BigInteger scaled, int baseDecimals, int quoteDecimals) {
        BigInteger perWhole = scaled.multiply(BigInteger.TEN.pow(baseDecimals + 18))
                .divide(BigInteger.TEN.pow(quoteDecimals))
                .divide(SCALE);
        return decimal18(perWhole);
    }

    /** A price with 18 decimals (an integer × 10^-18) as a canonical decimal string, with no bound on its digits. */
    public static String decimal18(BigInteger v) {
        return v.signum() == 0 ? "0" : new java.math.BigDecimal(v, 18).stripTrailingZeros().toPlainString();
    }
}
