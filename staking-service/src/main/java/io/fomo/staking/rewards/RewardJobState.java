package io.fomo.staking.rewards;

import java.util.Set;

/**
 * The steps of one (epoch, model) reward job (table {@code reward_job}, CHECK
 * {@code state IN ('PENDING', 'LOADED', 'PLANNED', 'DONE')}): PENDING (usage being streamed) → LOADED (weights and
 * eligibility known) → PLANNED (accruals written, ledger batch not yet confirmed) → DONE.
 */
public enum RewardJobState {
    PENDING, LOADED, PLANNED, DONE;

    public Set<RewardJobState> next() {
        return switch (this) {
            case PENDING -> Set.of(LOADED);
            case LOADED -> Set.of(PLANNED);
            case PLANNED -> Set.of(DONE);
            case DONE -> Set.of();
        };
    }

    public boolean canMoveTo(RewardJobState next) {
        return next().contains(next);
    }
}
