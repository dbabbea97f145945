package io.fomo.treasury.market;

import java.math.BigInteger;

/**
 * Constant-product swap math, Uniswap v2 (SPEC §5), on base-unit integers only:
 * <blockquote>with reserves x (in) and y (out) and input Δx, {@code Δx′ = Δx × (1 − fee)},
 * {@code out = floor(y × Δx′ / (x + Δx′))}. Price impact (fee excluded) = {@code Δx′ / (x + Δx′)}; a 2% bound
 * means {@code Δx′ ≤ x / 49}.</blockquote>
 * The fee is in basis points (30 = 0.3%), so {@code Δx′ = Δx × (10000 − fee) / 10000} is a rational number and
 * {@code out = floor(y × Δx × (10000 − fee) / (x × 10000 + Δx × (10000 − fee)))} is computed exactly, with one
 * floor at the end (Uniswap v2's {@code getAmountOut} with 997/1000). The whole input, fee included, enters the
 * pool, so k = x·y never falls; and {@code out < y} whenever x > 0, so no swap empties a reserve.
 */
public final class SwapMath {

    public static final int BPS = 10_000;
    private static final BigInteger TEN_THOUSAND = BigInteger.valueOf(BPS);

    private SwapMath() {
    }

    /** {@code floor(y × Δx′ / (x + Δx′))}; zero when {@code amountIn} is zero. Reserves must be positive. */
    public static BigInteger amountOut(BigInteger reserveIn, BigInteger reserveOut, BigInteger amountIn, int feeBps) {
        requireReserves(reserveIn, reserveOut);
        requireFee(feeBps);
        if (amountIn.signum() < 0) {
            throw new IllegalArgumentException("amountIn must be >= 0, was " + amountIn);
        }
        BigInteger inAfterFee = amountIn.multiply(BigInteger.valueOf(BPS - feeBps));
        BigInteger numerator = reserveOut.multiply(inAfterFee);
        BigInteger denominator = reserveIn.multiply(TEN_THOUSAND).add(inAfterFee);
        return numerator.divide(denominator);
    }

    /**
     * The largest input whose price impact (fee excluded) is at most {@code impactBps}:
     * {@code Δx′ / (x + Δx′) ≤ b/10000 ⇔ Δx′ ≤ x·b/(10000 − b)} (b = 200: {@code Δx′ ≤ x/49}), and with
     * {@code Δx′ = Δx·(10000 − fee)/10000}: {@code Δx ≤ floor(x·b·10000 / ((10000 − fee)·(10000 − b)))}.
     * {@code impactBps} 10000 means unbounded (returns null).
     */
    public static BigInteger maxInputForImpact(BigInteger reserveIn, int feeBps, int impactBps) {
        requireFee(feeBps);
        if (impactBps <= 0 || impactBps > BPS) {
            throw new IllegalArgumentException("impact bound must be 1..10000 bps, was " + impactBps);
        }
        if (impactBps == BPS) {
            return null;
        }
        BigInteger numerator = reserveIn.multiply(BigInteger.valueOf(impactBps)).multiply(TEN_THOUSAND);
        BigInteger denominator = BigInteger.valueOf(BPS - feeBps).multiply(BigInteger.valueOf(BPS - impactBps));
        return numerator.divide(denominator);
    }

    /** Whether {@code amountIn}'s price impact is at most {@code impactBps} (exact rational comparison). */
    public static boolean withinImpact(BigInteger reserveIn, BigInteger amountIn, int feeBps, int impactBps) {
        if (impactBps >= BPS) {
            return true;
        }
        // Δx′/(x + Δx′) ≤ b/10000  ⇔  Δx′ × (10000 − b) ≤ x × b, with Δx′ = Δx(10000 − fee)/10000.
        BigInteger left = amountIn.multiply(BigInteger.valueOf(BPS - feeBps)).multiply(BigInteger.valueOf(BPS - impactBps));
        BigInteger right = reserveIn.multiply(BigInteger.valueOf(impactBps)).multiply(TEN_THOUSAND);
        return left.compareTo(right) <= 0;
    }

    /**
     * The largest input whose output is at most {@code maxOut} (so the next hop of a route stays within its own
     * bound): {@code out(s) ≤ m ⟸ y·s·r < (m + 1)(x·10000 + s·r)} with r = 10000 − fee, i.e.
     * {@code s < (m + 1)·x·10000 / (r·(y − m − 1))}. Null when every input qualifies ({@code m ≥ y − 1}).
     */
    public static BigInteger maxInputForOutput(BigInteger reserveIn, BigInteger reserveOut, BigInteger maxOut,
            int feeBps) {
        requireReserves(reserveIn, reserveOut);
        BigInteger mPlus1 = maxOut.add(BigInteger.ONE);
        if (mPlus1.compareTo(reserveOut) >= 0) {
            return null;
        }
        BigInteger r = BigInteger.valueOf(BPS - feeBps);
        BigInteger numerator = mPlus1.multiply(reserveIn).multiply(TEN_THOUSAND);
        BigInteger denominator = r.multiply(reserveOut.subtract(mPlus1));
        // largest s with s < numerator / denominator
        BigInteger[] qr = numerator.divideAndRemainder(denominator);
        BigInteger s = qr[1].signum() == 0 ? qr[0].subtract(BigInteger.ONE) : qr[0];
        return s.max(BigInteger.ZERO);
    }

    /**
     * Spot price of a pool, quote base units per base base unit, as a fixed-point integer scaled by
     * {@code scale}: {@code floor(quoteReserve × scale / baseReserve)}.
     */
    public static BigInteger spotPrice(BigInteger baseReserve, BigInteger quoteReserve, BigInteger scale) {
        requireReserves(baseReserve, quoteReserve);
        return quoteReserve.multiply(scale).divide(baseReserve);
    }

    private static void requireReserves(BigInteger x, BigInteger y) {
        if (x.signum() <= 0 || y.signum() <= 0) {
            throw new IllegalArgumentException("pool reserves must be positive, were " + x + " and " + y);
        }
    }

    private static void requireFee(int feeBps) {
        if (feeBps < 0 || feeBps >= BPS) {
            throw new IllegalArgumentException("fee must be 0..9999 bps, was " + feeBps);
        }
    }
}
