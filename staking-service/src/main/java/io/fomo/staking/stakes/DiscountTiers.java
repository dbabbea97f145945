package io.fomo.staking.stakes;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;

/**
 * SPEC §6: "Discount tiers by staked MT of that model (defaults): ≥ 1,000 → 5%, ≥ 10,000 → 10%, ≥ 100,000 → 20%;
 * protocol cap 25%." Only staked MT counts (unbonding MT does not). The discount is the highest tier whose threshold
 * the stake reaches, limited by the cap. Plain Java, no framework.
 */
public final class DiscountTiers {

    /** One tier: at least {@code minStaked} base units of MT staked gives {@code discountBps}. */
    public record Tier(BigInteger minStaked, int discountBps) {
        public Tier {
            Objects.requireNonNull(minStaked, "minStaked");
            if (minStaked.signum() <= 0) {
                throw new IllegalArgumentException("a tier threshold must be > 0: " + minStaked);
            }
            if (discountBps < 0 || discountBps > 10_000) {
                throw new IllegalArgumentException("a tier discount must be 0..10000 bps: " + discountBps);
            }
        }
    }

    /** The spec's defaults. */
    public static final String DEFAULT_TIERS = "1000:500,10000:1000,100000:2000";
    public static final int DEFAULT_CAP_BPS = 2500;

    private final List<Tier> tiers;
    private final int capBps;

    public DiscountTiers(List<Tier> tiers, int capBps) {
        if (capBps < 0 || capBps > 10_000) {
            throw new IllegalArgumentException("the discount cap must be 0..10000 bps: " + capBps);
        }
        List<Tier> sorted = new ArrayList<>(tiers);
        sorted.sort(Comparator.comparing(Tier::minStaked));
        this.tiers = List.copyOf(sorted);
        this.capBps = capBps;
    }

    public static DiscountTiers defaults() {
        return parse(DEFAULT_TIERS, DEFAULT_CAP_BPS);
    }

    /**
     * Parses {@code "1000:500,10000:1000,100000:2000"}: whole-MT threshold (a decimal string, SPEC §2) and discount in
     * basis points per tier (the form of {@code fomo.staking.discount-tiers}).
     */
    public static DiscountTiers parse(String spec, int capBps) {
        List<Tier> tiers = new ArrayList<>();
        if (spec != null && !spec.isBlank()) {
            for (String part : spec.split(",")) {
                String[] kv = part.trim().split(":");
                if (kv.length != 2) {
                    throw new IllegalArgumentException("a discount tier is <whole MT>:<bps>, was \"" + part + "\"");
                }
                BigInteger threshold = Amount.parse(new Token("MT", Token.MODEL_TOKEN_DECIMALS), kv[0].trim()).units();
                tiers.add(new Tier(threshold, Integer.parseInt(kv[1].trim())));
            }
        }
        return new DiscountTiers(tiers, capBps);
    }

    /** The discount in basis points for {@code staked} base units of MT: the highest tier reached, at most the cap. */
    public int discountBps(BigInteger staked) {
        int bps = 0;
        for (Tier t : tiers) {
            if (staked.compareTo(t.minStaked()) >= 0) {
                bps = Math.max(bps, t.discountBps());
            }
        }
        return Math.min(bps, capBps);
    }

    public List<Tier> tiers() {
        return tiers;
    }

    public int capBps() {
        return capBps;
    }
}
