package io.fomo.staking.rewards;

import java.util.List;

/** What the rewards endpoints take and answer (README "Interfaces"). */
public final class RewardViews {

    private RewardViews() {
    }

    /** The body of {@code POST /rewards/claims}. */
    public record ClaimRequest(String idempotencyKey) {
    }

    /** What the idempotency key stores: the claim it created. */
    public record ClaimRef(String id) {
    }

    public record Payout(String deploymentId, String token, String amount) {
    }

    public record ClaimView(String id, String state, List<Payout> payouts) {
    }

    public record RewardView(long epoch, String deploymentId, String symbol, String weight, String flock, String emissionFlock,
            String sliceFlock, String mt, String claimId) {
    }

    public record MyRewards(String userId, List<RewardView> rewards) {
    }
}
