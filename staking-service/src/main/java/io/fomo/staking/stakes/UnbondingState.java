package io.fomo.staking.stakes;

import java.util.Set;

/**
 * An unbonding's state (table {@code unbonding}, CHECK {@code state IN ('UNBONDING', 'RELEASING', 'RELEASED')}):
 * UNBONDING until it matures, RELEASING while a replica holds its release by a lease (a lease that expired is taken
 * again: RELEASING → RELEASING), RELEASED once the ledger returned the MT.
 */
public enum UnbondingState {
    UNBONDING, RELEASING, RELEASED;

    public Set<UnbondingState> next() {
        return switch (this) {
            case UNBONDING -> Set.of(RELEASING);
            case RELEASING -> Set.of(RELEASING, RELEASED);
            case RELEASED -> Set.of();
        };
    }

    public boolean canMoveTo(UnbondingState next) {
        return next().contains(next);
    }
}
