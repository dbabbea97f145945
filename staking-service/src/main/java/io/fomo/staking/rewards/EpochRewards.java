package io.fomo.staking.rewards;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import io.fomo.shared.money.RoundingRules;
import io.fomo.shared.split.Distribution;
import io.fomo.shared.split.WeightedDistribution;

/**
 * The rewards of one epoch for one model (SPEC §6): "the stakers' 90% of its emission (§7) plus that epoch's slice of
 * the model's reward pool". "Eligible: users with stake > 0 at the epoch's end AND gross usage > 0 of that model in
 * that epoch. Weight: gross usage. Emission dust and an emission share with no eligible staker go back to the emission
 * reserve; a reward-pool slice with no eligible staker rolls over to the next epoch."
 *
 * <p>Each amount (emission share, FLOCK slice, MT slice) is distributed on its own with the shared
 * {@link WeightedDistribution} ({@code floor(A × w_i / Σw)}). Where the dust goes:
 * <ul>
 * <li>emission dust and the whole emission share when nobody is eligible → the emission reserve;</li>
 * <li>the dust of a reward-pool slice is not moved out of the pool: it stays there and is part of the next slice
 * (the same rule as a slice without an eligible staker, and the pool still empties exactly at the last slice);</li>
 * <li>a reward-pool slice with nobody eligible is not taken at all (rollover).</li>
 * </ul>
 * {@link #shareOf} is the same formula for one user, for the service that streams users in chunks instead of holding
 * them all in memory.
 */
public final class EpochRewards {

    private EpochRewards() {
    }

    /** One user's inputs: MT staked at the epoch's end and gross usage (USDC base units) of that model in the epoch. */
    public record UserInput(BigInteger stakeAtEnd, BigInteger gross) {
        public UserInput {
            Objects.requireNonNull(stakeAtEnd, "stakeAtEnd");
            Objects.requireNonNull(gross, "gross");
        }

        public boolean eligible() {
            return stakeAtEnd.signum() > 0 && gross.signum() > 0;
        }
    }

    /** One user's reward: FLOCK (emission share + FLOCK slice share) and MT, with the weight that earned it. */
    public record UserReward(BigInteger weight, BigInteger emissionFlock, BigInteger sliceFlock, BigInteger sliceMt) {
        public BigInteger flock() {
            return emissionFlock.add(sliceFlock);
        }
    }

    /**
     * @param rewards          per eligible user
     * @param totalWeight      Σ gross of the eligible users
     * @param emissionPaid     Σ emission shares (moves to nobody: it already is in STAKER_REWARDS)
     * @param emissionToReserve emission dust, or the whole emission share when nobody is eligible
     * @param sliceFlockPaid   Σ FLOCK slice shares (moves REWARD_POOL → STAKER_REWARDS)
     * @param sliceMtPaid      Σ MT slice shares (moves REWARD_POOL → STAKER_REWARDS)
     * @param sliceFlock       the epoch's FLOCK slice (0 when it rolled over)
     * @param sliceMt          the epoch's MT slice (0 when it rolled over)
     */
    public record Result(Map<String, UserReward> rewards, BigInteger totalWeight, BigInteger emissionPaid,
            BigInteger emissionToReserve, BigInteger sliceFlockPaid, BigInteger sliceMtPaid, BigInteger sliceFlock,
            BigInteger sliceMt) {
    }

    /**
     * @param stakersPart the model's stakers' part of the epoch's emission (FLOCK base units)
     * @param poolFlock   FLOCK left in the model's reward pool before this epoch
     * @param poolMt      MT left in the model's reward pool before this epoch
     * @param k           this model's epoch index (slices before this one)
     * @param epochs      slices in all (default 180)
     * @param users       user → inputs (any order; ineligible users may be included, they earn nothing)
     */
    public static Result compute(BigInteger stakersPart, BigInteger poolFlock, BigInteger poolMt, long k, int epochs,
            Map<String, UserInput> users) {
        Map<String, BigInteger> weights = new LinkedHashMap<>();
        for (Map.Entry<String, UserInput> e : users.entrySet()) {
            if (e.getValue().eligible()) {
                weights.put(e.getKey(), e.getValue().gross());
            }
        }
        if (weights.isEmpty()) {
            // "an emission share with no eligible staker go[es] back to the emission reserve; a reward-pool slice
            // with no eligible staker rolls over to the next epoch."
            return new Result(Map.of(), BigInteger.ZERO, BigInteger.ZERO, stakersPart, BigInteger.ZERO,
                    BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO);
        }
        BigInteger sliceFlock = RewardSlice.slice(poolFlock, k, epochs);
        BigInteger sliceMt = RewardSlice.slice(poolMt, k, epochs);
        Distribution<String> emission = WeightedDistribution.distribute(stakersPart, weights);
        Distribution<String> flock = WeightedDistribution.distribute(sliceFlock, weights);
        Distribution<String> mt = WeightedDistribution.distribute(sliceMt, weights);
        BigInteger total = BigInteger.ZERO;
        Map<String, UserReward> rewards = new LinkedHashMap<>();
        for (Map.Entry<String, BigInteger> w : weights.entrySet()) {
            total = total.add(w.getValue());
            rewards.put(w.getKey(), new UserReward(w.getValue(), emission.shareOf(w.getKey()), flock.shareOf(w.getKey()),
                    mt.shareOf(w.getKey())));
        }
        return new Result(rewards, total, stakersPart.subtract(emission.dust()), emission.dust(),
                sliceFlock.subtract(flock.dust()), sliceMt.subtract(mt.dust()), sliceFlock, sliceMt);
    }

    /**
     * One share of {@code amount} for weight {@code weight} out of {@code totalWeight}: {@code floor(A × w / Σw)}, the
     * formula of {@link WeightedDistribution}, for callers that stream the weights in chunks.
     */
    public static BigInteger shareOf(BigInteger amount, BigInteger weight, BigInteger totalWeight) {
        if (totalWeight.signum() == 0) {
            return BigInteger.ZERO;
        }
        return RoundingRules.mulDivFloor(amount, weight, totalWeight);
    }
}
