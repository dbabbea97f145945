package io.fomo.shared.money;

import java.math.BigInteger;
import java.util.Objects;

/**
 * The integer rounding the spec uses on base units (SPEC §2). Every helper works on exact
 * {@link BigInteger}s; no floating point is involved anywhere.
 *
 * <ul>
 *   <li>{@link #floorDiv} / {@link #mulDivFloor}: shares, e.g. {@code mt_i = floor(c_i × 10^18 / P)} (SPEC §3).</li>
 *   <li>{@link #ceilDiv} / {@link #mulDivCeil}: what a buyer pays, e.g. {@code spent_i = ceil(mt_i × P / 10^18)} (SPEC §3).</li>
 *   <li>{@link #halfEven}: "Per-request USDC charges are rounded half-even to the base unit once" (SPEC §2, §4).</li>
 * </ul>
 *
 * All arguments must be non-negative and divisors positive: amounts are never negative in this
 * system, so a negative argument is a bug and is rejected rather than given a sign convention.
 */
public final class RoundingRules {

    /** Largest power of ten kept in the cache: 10^39 is one more than the largest storable amount. */
    private static final int MAX_CACHED_POW10 = 39;
    private static final BigInteger[] POW10 = new BigInteger[MAX_CACHED_POW10 + 1];

    static {
        POW10[0] = BigInteger.ONE;
        for (int i = 1; i <= MAX_CACHED_POW10; i++) {
            POW10[i] = POW10[i - 1].multiply(BigInteger.TEN);
        }
    }

    private RoundingRules() {
    }

    /** 10^exponent, cached for 0 ≤ exponent ≤ 39. */
    public static BigInteger pow10(int exponent) {
        if (exponent < 0) {
            throw new IllegalArgumentException("exponent must be >= 0, was " + exponent);
        }
        return exponent <= MAX_CACHED_POW10 ? POW10[exponent] : BigInteger.TEN.pow(exponent);
    }

    /** {@code floor(numerator / divisor)} for numerator ≥ 0, divisor > 0. */
    public static BigInteger floorDiv(BigInteger numerator, BigInteger divisor) {
        check(numerator, divisor);
        return numerator.divide(divisor);
    }

    /** {@code ceil(numerator / divisor)} for numerator ≥ 0, divisor > 0. */
    public static BigInteger ceilDiv(BigInteger numerator, BigInteger divisor) {
        check(numerator, divisor);
        BigInteger[] qr = numerator.divideAndRemainder(divisor);
        return qr[1].signum() == 0 ? qr[0] : qr[0].add(BigInteger.ONE);
    }

    /** {@code floor(a × b / divisor)}, the product taken exactly before dividing. */
    public static BigInteger mulDivFloor(BigInteger a, BigInteger b, BigInteger divisor) {
        return floorDiv(product(a, b), divisor);
    }

    /** {@code ceil(a × b / divisor)}, the product taken exactly before dividing. */
    public static BigInteger mulDivCeil(BigInteger a, BigInteger b, BigInteger divisor) {
        return ceilDiv(product(a, b), divisor);
    }

    /**
     * The rational {@code numerator / divisor} rounded to the nearest integer, ties to the even
     * neighbour (banker's rounding): 2.5 → 2, 3.5 → 4, 2.51 → 3.
     */
    public static BigInteger halfEven(BigInteger numerator, BigInteger divisor) {
        check(numerator, divisor);
        BigInteger[] qr = numerator.divideAndRemainder(divisor);
        BigInteger quotient = qr[0];
        int cmp = qr[1].shiftLeft(1).compareTo(divisor); // 2·remainder vs divisor
        if (cmp > 0 || (cmp == 0 && quotient.testBit(0))) {
            return quotient.add(BigInteger.ONE);
        }
        return quotient;
    }

    private static BigInteger product(BigInteger a, BigInteger b) {
        Objects.requireNonNull(a, "a");
        Objects.requireNonNull(b, "b");
        if (a.signum() < 0 || b.signum() < 0) {
            throw new IllegalArgumentException("factors must be >= 0, were " + a + " and " + b);
        }
        return a.multiply(b);
    }

    private static void check(BigInteger numerator, BigInteger divisor) {
        Objects.requireNonNull(numerator, "numerator");
        Objects.requireNonNull(divisor, "divisor");
        if (numerator.signum() < 0) {
            throw new IllegalArgumentException("numerator must be >= 0, was " + numerator);
        }
        if (divisor.signum() <= 0) {
            throw new IllegalArgumentException("divisor must be > 0, was " + divisor);
        }
    }
}
