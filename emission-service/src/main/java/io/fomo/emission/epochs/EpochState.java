package io.fomo.emission.epochs;

import java.util.EnumSet;
import java.util.Set;

/**
 * The processing states of a claimed epoch (column {@code epoch.state}, CHECK in V2__emission.sql), README "Exactly
 * once": CLAIMED → PLANNED → PUBLISHED, and PLANNED → CLAIMED when the ledger refuses the planned batch as a whole
 * (the reserve no longer covers it: the plan is dropped and made again under the same batch id). PUBLISHED is final.
 * Waiting for a DeploymentLive is not a state of its own: a CLAIMED epoch with {@code waiting_for} set.
 */
public enum EpochState {

    /** Epoch and revenues recorded (the EpochClosed consumer's claim). */
    CLAIMED,
    /** The allocation is fixed; the ledger batch is a pure function of the stored rows. */
    PLANNED,
    /** The ledger's answer recorded and {@code EmissionAllocated} enqueued: done. */
    PUBLISHED;

    /** The states this one may move to. */
    public Set<EpochState> next() {
        return switch (this) {
            case CLAIMED -> EnumSet.of(PLANNED);
            case PLANNED -> EnumSet.of(PUBLISHED, CLAIMED);
            case PUBLISHED -> EnumSet.noneOf(EpochState.class);
        };
    }

    public boolean canMoveTo(EpochState next) {
        return next().contains(next);
    }

    /** Whether a replica still has work on the epoch (recovery resumes it). */
    public boolean unfinished() {
        return this != PUBLISHED;
    }
}
