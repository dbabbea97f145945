package io.fomo.billing.holds;

import java.util.EnumSet;
import java.util.Set;

/**
 * The states of a hold (column {@code hold.state}, CHECK of migration V2) and the moves between them (SPEC §4: a hold
 * is captured, released, or expires; "Holds expire (default 10 minutes)"). Every state but {@link #HELD} is final.
 * The PL/pgSQL of V9 writes CAPTURED and, inside one group statement, may undo its own CAPTURED back to HELD before
 * the statement ends (a call of the group that could not be charged): never visible after a commit, so not a move.
 */
public enum HoldState {
    HELD, CAPTURED, RELEASED, EXPIRED;

    /** The states this one may move to. */
    public Set<HoldState> next() {
        return this == HELD ? EnumSet.of(CAPTURED, RELEASED, EXPIRED) : EnumSet.noneOf(HoldState.class);
    }

    public boolean canMoveTo(HoldState next) {
        return next().contains(next);
    }

    /** The state of this name, as the database stores it. */
    public static HoldState of(String stored) {
        return valueOf(stored);
    }
}
