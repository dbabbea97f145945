package io.fomo.rmo.contribution;

import java.util.EnumSet;
import java.util.Set;

/**
 * A contribution's hold ({@code contribution.state}), SPEC §3 "The FLOCK moves from the user's balance into the
 * offering's escrow as a pending (two-phase) transfer in the ledger": recorded HOLDING before the ledger is asked,
 * HELD once it answered. A hold the ledger refuses leaves no row (nothing held, nothing written).
 */
public enum ContributionState {
    HOLDING, HELD;

    public Set<ContributionState> next() {
        return this == HOLDING ? EnumSet.of(HELD) : EnumSet.noneOf(ContributionState.class);
    }

    public boolean canMoveTo(ContributionState next) {
        return next().contains(next);
    }
}
