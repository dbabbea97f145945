package io.fomo.shared.split;

import java.math.BigInteger;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The result of a {@link WeightedDistribution}: per key its floored share, and the dust that the
 * floors left over, reported separately because the rule decides where it goes (SPEC §3: MT dust
 * → treasury; §6/§7: emission dust → back to the reserve). Invariant (checked on construction):
 * {@code Σ shares + dust = amount}.
 *
 * @param amount the amount distributed
 * @param shares key → floored share, every input key present (weight 0 → share 0), in input order
 * @param dust   {@code amount − Σ shares}; all of {@code amount} when the weights sum to 0
 * @param <K>    the key type, e.g. a user id
 */
public record Distribution<K>(BigInteger amount, Map<K, BigInteger> shares, BigInteger dust) {

    public Distribution {
        Objects.requireNonNull(amount, "amount");
        Objects.requireNonNull(dust, "dust");
        shares = Collections.unmodifiableMap(new LinkedHashMap<>(shares));
        BigInteger sum = dust;
        for (BigInteger share : shares.values()) {
            if (share.signum() < 0) {
                throw new IllegalArgumentException("negative share in " + shares);
            }
            sum = sum.add(share);
        }
        if (dust.signum() < 0 || !sum.equals(amount)) {
            throw new IllegalArgumentException("shares " + shares + " + dust " + dust + " do not sum to " + amount);
        }
    }

    /** The share of {@code key}; zero for a key that was not distributed to. */
    public BigInteger shareOf(K key) {
        return shares.getOrDefault(key, BigInteger.ZERO);
    }

    /**
     * The shares with the dust added to {@code recipient}, for rules that name one (e.g. "MT dust
     * {@code S − Σ mt_i} → treasury", SPEC §3). The recipient need not be one of the weighted keys;
     * if it is not, it is added at the end (with the dust, even if that is 0). The result sums to
     * {@code amount} exactly.
     */
    public Map<K, BigInteger> sharesWithDustTo(K recipient) {
        Objects.requireNonNull(recipient, "recipient");
        Map<K, BigInteger> result = new LinkedHashMap<>(shares);
        result.merge(recipient, dust, BigInteger::add);
        return Collections.unmodifiableMap(result);
    }
}
