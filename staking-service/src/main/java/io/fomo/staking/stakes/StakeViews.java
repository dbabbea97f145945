package io.fomo.staking.stakes;

import java.time.Instant;
import java.util.List;

/** What the stakes endpoints answer (README "Interfaces"). */
public final class StakeViews {

    private StakeViews() {
    }

    /** What the idempotency key stores: the operation it created. */
    public record OpRef(String id) {
    }

    public record StakeOpView(String id, String kind, String deploymentId, String symbol, String amount, String state,
            String staked, int discountBps, Instant releaseAt) {
    }

    public record UnbondingView(String id, String amount, Instant releaseAt, String state) {
    }

    public record PositionView(String deploymentId, String symbol, String staked, String unbonding, int discountBps,
            List<UnbondingView> unbondings) {
    }

    public record MyStakes(String userId, List<PositionView> stakes) {
    }
}
