package io.fomo.shared.split;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Weighted distribution of an amount (SPEC §2): "Weighted distribution of an amount A over weights
 * w_i: {@code floor(A × w_i / Σw)} each; the dust goes to the rule's named recipient. Ties and order
 * never matter: results are independent of input order."
 *
 * <p>Used for the pro-rata sale (SPEC §3, {@code mt_i = floor(S × c_i / T)}), the emission
 * allocation ({@code alloc_m = floor(E × score_m / Σ score)}, §7) and staker rewards weighted by
 * gross usage (§6).
 *
 * <p><b>Order independence:</b> every share depends only on its own weight, the total weight and
 * A, never on the other entries' order, so permuting the input map yields the same key → share
 * mapping and the same dust (only the iteration order of {@link Distribution#shares()} follows the
 * input). There is no tie-breaking: the dust is not handed out one unit at a time but reported
 * whole in {@link Distribution#dust()}; the caller sends it where its rule says, e.g. with
 * {@link Distribution#sharesWithDustTo(Object)}.
 *
 * <p>Guarantees: {@code Σ shares + dust = A}; {@code share_i ≤ A × w_i / Σw}; a zero weight gets 0;
 * if Σw = 0 every share is 0 and all of A is dust; otherwise dust &lt; number of positive weights.
 */
public final class WeightedDistribution {

    private WeightedDistribution() {
    }

    /**
     * @param amount  A in base units, ≥ 0
     * @param weights key → weight ≥ 0 (no null keys or values); keys are unique by construction
     * @param <K>     the key type; it must have proper equals/hashCode
     */
    public static <K> Distribution<K> distribute(BigInteger amount, Map<K, BigInteger> weights) {
        Objects.requireNonNull(amount, "amount");
        Objects.requireNonNull(weights, "weights");
        if (amount.signum() < 0) {
            throw new IllegalArgumentException("cannot distribute a negative amount: " + amount);
        }
        BigInteger totalWeight = BigInteger.ZERO;
        for (Map.Entry<K, BigInteger> entry : weights.entrySet()) {
            Objects.requireNonNull(entry.getKey(), "weight key");
            BigInteger weight = Objects.requireNonNull(entry.getValue(), () -> "weight of " + entry.getKey());
            if (weight.signum() < 0) {
                throw new IllegalArgumentException("weight of " + entry.getKey() + " is negative: " + weight);
            }
            totalWeight = totalWeight.add(weight);
        }
        Map<K, BigInteger> shares = new LinkedHashMap<>();
        BigInteger allotted = BigInteger.ZERO;
        for (Map.Entry<K, BigInteger> entry : weights.entrySet()) {
            BigInteger share = totalWeight.signum() == 0
                    ? BigInteger.ZERO
                    : amount.multiply(entry.getValue()).divide(totalWeight);
            shares.put(entry.getKey(), share);
            allotted = allotted.add(share);
        }
        return new Distribution<>(amount, shares, amount.subtract(allotted));
    }
}
