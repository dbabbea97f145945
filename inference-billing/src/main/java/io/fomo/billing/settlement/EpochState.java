package io.fomo.billing.settlement;

import java.util.EnumSet;
import java.util.Set;

/**
 * The states of an epoch (SPEC §4: "after its end plus a grace period the epoch is closed once and published"): OPEN
 * until its {@code epoch} row is written (with its {@code EpochClosed}, {@link SettlementService}), then CLOSED for good.
 * {@code GET /api/v1/epochs/{n}} answers these names.
 */
public enum EpochState {
    OPEN, CLOSED;

    public Set<EpochState> next() {
        return this == OPEN ? EnumSet.of(CLOSED) : EnumSet.noneOf(EpochState.class);
    }

    public boolean canMoveTo(EpochState next) {
        return next().contains(next);
    }
}
