package io.fomo.system;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * SPEC §7's {@code ageFactor(a) = 1 + β·e^(−a/τ)} (β = 1, τ = 30 days, a in whole seconds), computed here independently
 * of emission's code: {@code e^(−x)} by its Taylor series in {@link BigDecimal} with guard digits (x is halved below
 * 1/2 first and the result squared back), at two precisions; both must round to the same 18 decimals (half-even), so
 * the factor × 10^18 returned is exact.
 */
final class SpecAgeFactor {

    static final long TAU_SECONDS = 30L * 86_400;

    private SpecAgeFactor() {
    }

    /** The factor × 10^18 for an age of {@code seconds} (≥ 0). */
    static BigInteger fixedPoint(long seconds) {
        if (seconds < 0) {
            throw new IllegalArgumentException("negative age " + seconds);
        }
        BigInteger a = factor(seconds, 60);
        BigInteger b = factor(seconds, 90);
        if (!a.equals(b)) {
            throw new IllegalStateException("the guard digits do not settle the rounding of age " + seconds);
        }
        return a;
    }

    private static BigInteger factor(long seconds, int digits) {
        MathContext mc = new MathContext(digits + 10, RoundingMode.HALF_EVEN);
        BigDecimal x = new BigDecimal(seconds).divide(new BigDecimal(TAU_SECONDS), mc);
        int halvings = 0;
        while (x.compareTo(new BigDecimal("0.5")) > 0) {
            x = x.divide(BigDecimal.valueOf(2), mc);
            halvings++;
        }
        BigDecimal sum = BigDecimal.ONE;
        BigDecimal term = BigDecimal.ONE;
        BigDecimal eps = BigDecimal.ONE.movePointLeft(digits + 5);
        for (int n = 1; term.abs().compareTo(eps) > 0; n++) {
            term = term.multiply(x, mc).negate().divide(BigDecimal.valueOf(n), mc);
            sum = sum.add(term, mc);
        }
        for (int i = 0; i < halvings; i++) {
            sum = sum.multiply(sum, mc);
        }
        return BigDecimal.ONE.add(sum).setScale(18, RoundingMode.HALF_EVEN).movePointRight(18).toBigIntegerExact();
    }
}
