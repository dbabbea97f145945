package io.fomo.staking;

import java.time.Duration;

import io.fomo.staking.stakes.DiscountTiers;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The {@code fomo.staking.*} tunables (README.md); defaults from SPEC §6. */
@ConfigMapping(prefix = "fomo.staking")
public interface StakingConfig {

    /** SPEC §9 fixed name: the unbonding period (default 7 days). */
    @WithDefault("P7D")
    Duration unbonding();

    /** Discount tiers, {@code <whole MT>:<bps>} comma-separated (SPEC §6 defaults). */
    @WithDefault(DiscountTiers.DEFAULT_TIERS)
    String discountTiers();

    /** The protocol cap of a discount in basis points (SPEC §6: 25%). */
    @WithDefault("2500")
    int discountCapBps();

    /** Slices of a model's reward pool (SPEC §6: 180 epochs). */
    @WithDefault("180")
    int rewardPoolEpochs();

    /** Users per chunk when streaming an epoch's usage into the database and when writing accruals. */
    @WithDefault("500")
    int usageChunk();

    /** How long a worker holds an unbonding release or a reward job before another replica may take it over. */
    @WithDefault("PT60S")
    Duration lease();

    /** A stake operation or claim still pending this long (e.g. its request died mid-way) is completed by the resumer. */
    @WithDefault("PT10S")
    Duration resumeAfter();

    /** How often the unbonding scheduler returns matured MT. */
    @WithDefault("5s")
    String unbondingInterval();

    /** How often the reward worker looks for (epoch, model) jobs to compute. */
    @WithDefault("5s")
    String rewardsInterval();

    /** How often pending stake operations and claims are resumed. */
    @WithDefault("10s")
    String resumeInterval();

    default DiscountTiers tiers() {
        return DiscountTiers.parse(discountTiers(), discountCapBps());
    }
}
