package io.fomo.staking.stakes;

import java.util.Set;

/**
 * A stake operation's state (table {@code stake_op}, CHECK {@code state IN ('PENDING', 'DONE')}): the intent is
 * recorded PENDING before the ledger call and becomes DONE once its result is recorded. A definitive ledger refusal
 * deletes the PENDING row instead (nothing moved, nothing kept).
 */
public enum StakeOpState {
    PENDING, DONE;

    public Set<StakeOpState> next() {
        return this == PENDING ? Set.of(DONE) : Set.of();
    }

    public boolean canMoveTo(StakeOpState next) {
        return next().contains(next);
    }
}
