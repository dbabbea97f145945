package io.fomo.emission.epochs;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

import io.fomo.shared.money.RoundingRules;

/**
 * The age factor of SPEC §7: {@code ageFactor(a) = 1 + β·e^(−a/τ)}, "with age in days since the deployment went live
 * (at the epoch's start), β = 1.0, τ = 30 days (defaults)".
 *
 * <p>The determinism rule of SPEC §7 is followed to the letter: "Age is counted in whole seconds (epoch start − live
 * time), so {@code a/τ = seconds / (τ_days × 86,400)}. Compute {@code ageFactor} to exactly 18 decimals, rounded
 * half-even, with exact decimal arithmetic [...] and keep it as a fixed-point integer (factor × 10^18)."
 *
 * <p>How it is exact: {@code x = seconds / (τ_days × 86,400)} is a rational; {@code e^(−x)} is computed with
 * {@link BigDecimal} only (argument halved below 1, Taylor series, squared back) at a working precision with a
 * rigorous error bound, and the bound's two ends must round to the same 18-decimal value; if they do not, the
 * precision doubles and it is computed again (Ziv's strategy). For {@code x > 0} the true value is never exactly a
 * rounding tie (e to a non-zero rational power is transcendental), so the loop ends; for {@code x = 0} the factor
 * is {@code 1 + β} exactly. The result is therefore the correctly rounded value on every machine and every run.
 * No {@code double} anywhere (a guard test scans the main sources).
 *
 * <p>Immutable and thread-safe. {@link #fixedPoint(long)} is cheap (microseconds) at the default β and τ.
 */
public final class AgeFactor {

    /** The factor's decimals (SPEC §7: "to exactly 18 decimals"). */
    public static final int DECIMALS = 18;
    /** 1.0 as a fixed-point factor: 10^18. */
    public static final BigInteger ONE = RoundingRules.pow10(DECIMALS);
    /** Seconds per day of SPEC §7's {@code τ_days × 86,400}. */
    public static final long SECONDS_PER_DAY = 86_400L;

    private static final int START_PRECISION = 40;
    private static final int MAX_PRECISION = 2_560;

    private final BigDecimal beta;
    private final BigDecimal tauDays;
    /** {@code x = seconds × xNumeratorScale / xDenominator}, exactly. */
    private final BigInteger xNumeratorScale;
    private final BigInteger xDenominator;
    /** Above this many seconds {@code β·e^(−x)} is below 10^-19: the factor is exactly 1. */
    private final BigInteger negligibleFromSeconds;

    /**
     * @param beta    β ≥ 0 (SPEC §7 default 1.0)
     * @param tauDays τ in days, &gt; 0 (default 30); may have decimals
     */
    public AgeFactor(BigDecimal beta, BigDecimal tauDays) {
        Objects.requireNonNull(beta, "beta");
        Objects.requireNonNull(tauDays, "tauDays");
        if (beta.signum() < 0) {
            throw new IllegalArgumentException("β must be >= 0, was " + beta.toPlainString());
        }
        if (tauDays.signum() <= 0) {
            throw new IllegalArgumentException("τ (days) must be > 0, was " + tauDays.toPlainString());
        }
        this.beta = beta.stripTrailingZeros();
        this.tauDays = tauDays.stripTrailingZeros();
        // τ = u / 10^s (s may be negative after stripping, e.g. 3E+1): x = seconds × 10^s / (u × 86,400)
        BigDecimal tau = this.tauDays.scale() < 0 ? this.tauDays.setScale(0) : this.tauDays;
        this.xNumeratorScale = RoundingRules.pow10(tau.scale());
        this.xDenominator = tau.unscaledValue().multiply(BigInteger.valueOf(SECONDS_PER_DAY));
        // β < 10^d. e^(−x) < 10^(−0.3x), so x ≥ 4(d + 20) gives β·e^(−x) < 10^(d − 1.2d − 24) ≤ 10^(−24):
        // it rounds to 0 at 18 decimals and the factor is exactly 1.
        int d = Math.max(0, this.beta.precision() - this.beta.scale());
        BigInteger xBound = BigInteger.valueOf(4L * (d + 20));
        this.negligibleFromSeconds = xBound.multiply(xDenominator).add(xNumeratorScale).subtract(BigInteger.ONE)
                .divide(xNumeratorScale); // ceil(xBound × den / numScale)
    }

    /** SPEC §7 defaults: β = 1.0, τ = 30 days. */
    public static AgeFactor defaults() {
        return new AgeFactor(BigDecimal.ONE, BigDecimal.valueOf(30));
    }

    /**
     * Whole seconds from the deployment's live time to the epoch's start (SPEC §7), floored; a deployment that went
     * live during the epoch (live time after the epoch's start) counts age 0.
     */
    public static long ageSeconds(Instant liveAt, Instant epochStart) {
        long seconds = Duration.between(liveAt, epochStart).getSeconds(); // floor for any sign
        return Math.max(0, seconds);
    }

    public BigDecimal beta() {
        return beta;
    }

    public BigDecimal tauDays() {
        return tauDays;
    }

    /** The factor for an age of {@code ageSeconds} (≥ 0), as a fixed-point integer: factor × 10^18. */
    public BigInteger fixedPoint(long ageSeconds) {
        if (ageSeconds < 0) {
            throw new IllegalArgumentException("age must be >= 0 seconds, was " + ageSeconds);
        }
        if (beta.signum() == 0) {
            return ONE;
        }
        if (ageSeconds == 0) {
            // e^0 = 1 exactly: 1 + β, rounded half-even at 18 decimals.
            return ONE.add(beta.setScale(DECIMALS, RoundingMode.HALF_EVEN).unscaledValue());
        }
        BigInteger seconds = BigInteger.valueOf(ageSeconds);
        if (seconds.compareTo(negligibleFromSeconds) >= 0) {
            return ONE;
        }
        for (int precision = START_PRECISION; precision <= MAX_PRECISION; precision *= 2) {
            BigInteger rounded = attempt(seconds, precision);
            if (rounded != null) {
                return ONE.add(rounded);
            }
        }
        throw new ArithmeticException("age factor not resolved at " + MAX_PRECISION + " digits for " + ageSeconds + " s");
    }

    /** The factor as a decimal string with exactly 18 decimals, e.g. {@code "1.135335283236612692"}. */
    public static String format(BigInteger fixedPoint) {
        return new BigDecimal(fixedPoint, DECIMALS).toPlainString();
    }

    /**
     * {@code round_half_even(β·e^(−x) × 10^18)} if the error bound at this precision decides it, else null.
     */
    private BigInteger attempt(BigInteger seconds, int precision) {
        MathContext mc = new MathContext(precision + 10, RoundingMode.HALF_EVEN);
        BigDecimal x = new BigDecimal(seconds.multiply(xNumeratorScale)).divide(new BigDecimal(xDenominator), mc);
        // halve x below 1: k = bit length of floor(x), so x / 2^k < 1
        int k = x.toBigInteger().bitLength();
        BigDecimal y = x;
        if (k > 0) {
            // dividing by 2^k is multiplying by 5^k / 10^k: exact, then rounded once
            y = x.multiply(new BigDecimal(BigInteger.valueOf(5).pow(k))).movePointLeft(k).round(mc);
        }
        // e^(−y) = Σ (−y)^n / n!, alternating with falling terms for 0 ≤ y < 1: the error is below the first omitted term
        BigDecimal threshold = BigDecimal.ONE.movePointLeft(precision + 12);
        BigDecimal sum = BigDecimal.ONE;
        BigDecimal term = BigDecimal.ONE;
        int terms = 0;
        for (int n = 1; term.abs().compareTo(threshold) > 0; n++) {
            term = term.multiply(y, mc).divide(BigDecimal.valueOf(n), mc).negate();
            sum = sum.add(term, mc);
            terms = n;
        }
        BigDecimal e = sum;
        for (int i = 0; i < k; i++) {
            e = e.multiply(e, mc);
        }
        BigDecimal value = e.multiply(beta, mc);
        // Relative error bound (generous): every rounding at p+10 digits is at most 10^-(p+9) relative; the series
        // adds up to ~3·(terms+6) of them plus a tail below 10^-(p+12); the rounding of x and y adds x·10^-(p+9);
        // each of the k squarings doubles what came before. Bound: 2^k·(4·(3·terms + k + 10) + x)·10^-(p+8).
        BigDecimal amplification = new BigDecimal(BigInteger.ONE.shiftLeft(k))
                .multiply(BigDecimal.valueOf(4L * (3L * terms + k + 10)).add(x));
        BigDecimal relError = amplification.movePointLeft(precision + 8);
        BigDecimal slack = value.multiply(relError, mc);
        BigInteger low = value.subtract(slack).movePointRight(DECIMALS).setScale(0, RoundingMode.HALF_EVEN).toBigIntegerExact();
        BigInteger high = value.add(slack).movePointRight(DECIMALS).setScale(0, RoundingMode.HALF_EVEN).toBigIntegerExact();
        return low.equals(high) ? low : null;
    }

    @Override
    public String toString() {
        return "AgeFactor[β=" + beta.toPlainString() + ", τ=" + tauDays.toPlainString() + " days]";
    }
}
