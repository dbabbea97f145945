package io.fomo.shared.split;

import java.math.BigInteger;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The result of a {@link BasisPointSplit}: per part name the final share in base units, the dust
 * already included in the dust recipient's share. Invariant (checked on construction): the shares
 * sum exactly to {@code total}.
 *
 * @param total         the amount that was split
 * @param amounts       name → share, in the rule's part order (unmodifiable)
 * @param dustRecipient the part that received the dust
 * @param dust          the remainder after flooring every share, included in {@code amounts.get(dustRecipient)}
 */
public record Shares(BigInteger total, Map<String, BigInteger> amounts, String dustRecipient, BigInteger dust) {

    public Shares {
        Objects.requireNonNull(total, "total");
        Objects.requireNonNull(dustRecipient, "dustRecipient");
        Objects.requireNonNull(dust, "dust");
        amounts = Collections.unmodifiableMap(new LinkedHashMap<>(amounts));
        BigInteger sum = BigInteger.ZERO;
        for (BigInteger share : amounts.values()) {
            if (share.signum() < 0) {
                throw new IllegalArgumentException("negative share in " + amounts);
            }
            sum = sum.add(share);
        }
        if (!sum.equals(total)) {
            throw new IllegalArgumentException("shares " + amounts + " sum to " + sum + ", not " + total);
        }
        if (dust.signum() < 0 || !amounts.containsKey(dustRecipient)
                || amounts.get(dustRecipient).compareTo(dust) < 0) {
            throw new IllegalArgumentException("dust " + dust + " not held by " + dustRecipient + " in " + amounts);
        }
    }

    /** The share of {@code name}. @throws IllegalArgumentException if it is not a part of the split */
    public BigInteger get(String name) {
        BigInteger share = amounts.get(name);
        if (share == null) {
            throw new IllegalArgumentException(name + " is not a part of this split: " + amounts.keySet());
        }
        return share;
    }
}
