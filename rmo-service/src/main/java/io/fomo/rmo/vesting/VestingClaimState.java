package io.fomo.rmo.vesting;

import java.util.EnumSet;
import java.util.Set;

/**
 * A vesting claim ({@code vesting_claim.state}): recorded CLAIMING, with its transfer id, before the ledger is asked to
 * move the vested MT, CLAIMED once it answered. A transfer the ledger refuses for good leaves no row.
 */
public enum VestingClaimState {
    CLAIMING, CLAIMED;

    public Set<VestingClaimState> next() {
        return this == CLAIMING ? EnumSet.of(CLAIMED) : EnumSet.noneOf(VestingClaimState.class);
    }

    public boolean canMoveTo(VestingClaimState next) {
        return next().contains(next);
    }
}
