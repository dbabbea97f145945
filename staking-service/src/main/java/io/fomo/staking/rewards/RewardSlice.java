package io.fomo.staking.rewards;

import java.math.BigInteger;

/**
 * SPEC §6: a model's reward pool (incentive MT and staking-incentive FLOCK from the launch) is "streamed in equal
 * slices over 180 epochs by default: the k-th slice, k = 0…179, is floor(remaining / (180 − k)), so the last one
 * empties the pool exactly". A slice that finds no eligible staker is not taken: it "rolls over to the next epoch",
 * i.e. it stays in {@code remaining} and the next slice (k + 1) is computed from it. From k = epochs − 1 on the whole
 * remainder is the slice (an epoch after the last with the pool not yet empty because of a rollover).
 */
public final class RewardSlice {

    public static final int DEFAULT_EPOCHS = 180;

    private RewardSlice() {
    }

    /**
     * @param remaining the pool's balance before this epoch (base units, ≥ 0)
     * @param k         how many epochs of this model came before this one (0 for its first epoch)
     * @param epochs    the number of slices (default 180)
     */
    public static BigInteger slice(BigInteger remaining, long k, int epochs) {
        if (remaining.signum() < 0) {
            throw new IllegalArgumentException("negative pool: " + remaining);
        }
        if (k < 0 || epochs <= 0) {
            throw new IllegalArgumentException("k must be >= 0 and epochs > 0: k=" + k + " epochs=" + epochs);
        }
        long divisor = Math.max(1L, epochs - k);
        return remaining.divide(BigInteger.valueOf(divisor));
    }
}
