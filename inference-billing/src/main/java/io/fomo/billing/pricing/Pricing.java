package io.fomo.billing.pricing;

import java.math.BigInteger;

import io.fomo.shared.money.RoundingRules;

/**
 * SPEC §4 pricing, plain Java, exact. Prices and costs are integers of USDC base units per 1,000,000
 * tokens (0.50 USDC/M = 500000).
 *
 * <ul>
 * <li>gross = half-even((in × inPrice + out × outPrice) / 10^6)</li>
 * <li>compute = half-even((in × inCost + out × outCost) / 10^6)</li>
 * <li>charged = half-even((in × inPrice + out × outPrice) × (10000 − d) / (10^6 × 10000)): the exact gross
 * times (1 − d), rounded once (not the rounded gross re-rounded);</li>
 * <li>if charged &lt; compute, the discount shrinks so that charged = compute (SPEC "the discount shrinks to
 * keep charged ≥ compute cost"); the applied discount is then floor((gross − compute) × 10000 / gross);</li>
 * <li>net = charged − compute ≥ 0.</li>
 * </ul>
 */
public final class Pricing {

    public static final int BPS = 10_000;
    private static final BigInteger MILLION = BigInteger.valueOf(1_000_000);
    private static final BigInteger BPS_BI = BigInteger.valueOf(BPS);

    private Pricing() {
    }

    /** Prices and costs of one deployment, USDC base units per 1M tokens. */
    public record Rates(long inputPrice, long outputPrice, long inputCost, long outputCost) {
        public Rates {
            if (inputPrice < 0 || outputPrice < 0 || inputCost < 0 || outputCost < 0) {
                throw new IllegalArgumentException("negative rate");
            }
        }
    }

    /** Clamps a staking discount to [0, cap]. */
    public static int cappedDiscount(int discountBps, int capBps) {
        return Math.max(0, Math.min(discountBps, capBps));
    }

    public static Charge charge(Rates rates, long inputTokens, long outputTokens, int discountBps) {
        if (inputTokens < 0 || outputTokens < 0) {
            throw new IllegalArgumentException("negative token count");
        }
        if (discountBps < 0 || discountBps > BPS) {
            throw new IllegalArgumentException("discount out of range: " + discountBps);
        }
        BigInteger in = BigInteger.valueOf(inputTokens);
        BigInteger out = BigInteger.valueOf(outputTokens);
        BigInteger grossExact = in.multiply(BigInteger.valueOf(rates.inputPrice()))
                .add(out.multiply(BigInteger.valueOf(rates.outputPrice())));
        BigInteger computeExact = in.multiply(BigInteger.valueOf(rates.inputCost()))
                .add(out.multiply(BigInteger.valueOf(rates.outputCost())));
        BigInteger gross = RoundingRules.halfEven(grossExact, MILLION);
        BigInteger compute = RoundingRules.halfEven(computeExact, MILLION);
        BigInteger charged = RoundingRules.halfEven(grossExact.multiply(BigInteger.valueOf(BPS - discountBps)),
                MILLION.multiply(BPS_BI));
        int applied = discountBps;
        if (charged.compareTo(compute) < 0) {
            charged = compute;
            applied = gross.signum() == 0 || gross.compareTo(compute) <= 0 ? 0
                    : gross.subtract(compute).multiply(BPS_BI).divide(gross).min(BigInteger.valueOf(discountBps)).intValueExact();
        }
        return new Charge(gross, charged, compute, charged.subtract(compute), applied);
    }
}
