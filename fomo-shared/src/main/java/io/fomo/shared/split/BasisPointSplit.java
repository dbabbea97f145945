package io.fomo.shared.split;

import java.math.BigInteger;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A rule that splits an amount into named shares by basis points (SPEC §2): "Splitting an amount
 * into shares: each share is {@code floor(amount × pct)}; the remainder (dust) goes to a named
 * recipient (stated per rule below). The parts always sum to the whole."
 *
 * <p>Build the rule once and apply it to many amounts, e.g. the revenue split of SPEC §5:
 * <pre>{@code
 * BasisPointSplit revenue = BasisPointSplit.of(List.of(
 *         Part.percent("flock-buyback", 30), Part.percent("treasury", 30),
 *         Part.percent("mt-buyback", 30), Part.percent("owner", 10)), "treasury");
 * Shares shares = revenue.split(net);   // shares.get("treasury") includes the dust
 * }</pre>
 * The basis points must sum to exactly 10,000; a part may have 0. The dust is below the number
 * of parts with a non-zero share. Immutable and thread-safe.
 */
public final class BasisPointSplit {

    /** 100% in basis points. */
    public static final int TOTAL_BPS = 10_000;
    private static final BigInteger TOTAL = BigInteger.valueOf(TOTAL_BPS);

    /** One named part of a split. @param bps its share in basis points (1 bp = 0.01%), 0..10000 */
    public record Part(String name, int bps) {
        public Part {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("a split part needs a name");
            }
            if (bps < 0 || bps > TOTAL_BPS) {
                throw new IllegalArgumentException("part " + name + ": bps must be 0.." + TOTAL_BPS + ", was " + bps);
            }
        }

        public static Part bps(String name, int bps) {
            return new Part(name, bps);
        }

        /** A whole percentage, e.g. {@code percent("owner", 10)} = 1000 bps. */
        public static Part percent(String name, int percent) {
            if (percent < 0 || percent > 100) {
                throw new IllegalArgumentException("part " + name + ": percent must be 0..100, was " + percent);
            }
            return new Part(name, percent * 100);
        }
    }

    private final List<Part> parts;
    private final String dustRecipient;

    private BasisPointSplit(List<Part> parts, String dustRecipient) {
        this.parts = parts;
        this.dustRecipient = dustRecipient;
    }

    /**
     * @param parts         the named parts, in the order results are reported; names unique
     * @param dustRecipient the name of the part that receives the remainder; must be one of the parts
     * @throws IllegalArgumentException if names repeat, the bps do not sum to 10,000 or the dust
     *                                  recipient is not a part
     */
    public static BasisPointSplit of(List<Part> parts, String dustRecipient) {
        Objects.requireNonNull(parts, "parts");
        Objects.requireNonNull(dustRecipient, "dustRecipient");
        List<Part> copy = List.copyOf(parts);
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("a split needs at least one part");
        }
        Set<String> names = new HashSet<>();
        int sum = 0;
        for (Part part : copy) {
            if (!names.add(part.name())) {
                throw new IllegalArgumentException("split part " + part.name() + " appears twice");
            }
            sum += part.bps(); // at most parts × 10000, and parts are few; overflow would need 214k parts
        }
        if (sum != TOTAL_BPS) {
            throw new IllegalArgumentException("split parts must sum to exactly " + TOTAL_BPS + " bps (100%), were "
                    + sum + " bps: " + copy);
        }
        if (!names.contains(dustRecipient)) {
            throw new IllegalArgumentException("dust recipient " + dustRecipient + " is not one of the parts " + names);
        }
        return new BasisPointSplit(copy, dustRecipient);
    }

    /**
     * Splits {@code amount} (base units, ≥ 0): each part gets {@code floor(amount × bps / 10000)},
     * the dust recipient additionally the remainder.
     */
    public Shares split(BigInteger amount) {
        Objects.requireNonNull(amount, "amount");
        if (amount.signum() < 0) {
            throw new IllegalArgumentException("cannot split a negative amount: " + amount);
        }
        Map<String, BigInteger> result = new LinkedHashMap<>();
        BigInteger allotted = BigInteger.ZERO;
        for (Part part : parts) {
            BigInteger share = amount.multiply(BigInteger.valueOf(part.bps())).divide(TOTAL);
            result.put(part.name(), share);
            allotted = allotted.add(share);
        }
        BigInteger dust = amount.subtract(allotted);
        result.merge(dustRecipient, dust, BigInteger::add);
        return new Shares(amount, result, dustRecipient, dust);
    }

    public List<Part> parts() {
        return parts;
    }

    public String dustRecipient() {
        return dustRecipient;
    }

    @Override
    public String toString() {
        return "BasisPointSplit" + parts + " dust->" + dustRecipient;
    }
}
