package io.fomo.rmo.offering;

import java.util.EnumSet;
import java.util.Set;

/**
 * The states of an offering ({@code offering.state}), SPEC §3: "DRAFT → OPEN → (at closesAt) SUCCEEDED → LIVE, or
 * FAILED; an operator may cancel before the close". The close's own progress is {@code close.ClosePhase}.
 */
public enum OfferingState {
    /** Created by the RMA owner; terms fixed, not yet open for contributions. */
    DRAFT,
    /** Open for contributions between opensAt and closesAt. */
    OPEN,
    /** The close found T ≥ softCap; the launch settlement is under way. */
    SUCCEEDED,
    /** The Model Token exists and trades; the deployment is live. */
    LIVE,
    /** The close found T &lt; softCap: every contribution released. */
    FAILED,
    /** Cancelled by an operator before its close: every contribution released. */
    CANCELLED;

    /** The states this one may move to. */
    public Set<OfferingState> next() {
        return switch (this) {
            case DRAFT -> EnumSet.of(OPEN, CANCELLED);
            case OPEN -> EnumSet.of(SUCCEEDED, FAILED, CANCELLED);
            case SUCCEEDED -> EnumSet.of(LIVE);
            case LIVE, FAILED, CANCELLED -> EnumSet.noneOf(OfferingState.class);
        };
    }

    public boolean canMoveTo(OfferingState next) {
        return next().contains(next);
    }

    /** Holds its symbol and its deployment (the unique indexes {@code offering_*_active} cover these states). */
    public boolean isActive() {
        return this != FAILED && this != CANCELLED;
    }
}
