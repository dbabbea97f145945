package io.fomo.rmo.close;

import java.util.EnumSet;
import java.util.Set;

/**
 * The close's state machine in the database ({@code offering.close_phase}; {@code NULL} = not started), SPEC §3
 * "Close (at closesAt, exactly once, resumable after a crash at any step)": (a) TOTALS, (b) SETTLE, (c) LAUNCH,
 * (d) DISTRIBUTE, (e) FINISH, then DONE. A failed or cancelled offering goes from SETTLE straight to FINISH; a
 * cancel starts at SETTLE.
 */
public enum ClosePhase {
    TOTALS, SETTLE, LAUNCH, DISTRIBUTE, FINISH, DONE;

    /** The phases this one may move to (a phase that works in chunks also stays where it is, chunk by chunk). */
    public Set<ClosePhase> next() {
        return switch (this) {
            case TOTALS -> EnumSet.of(SETTLE);
            case SETTLE -> EnumSet.of(LAUNCH, FINISH);
            case LAUNCH -> EnumSet.of(DISTRIBUTE);
            case DISTRIBUTE -> EnumSet.of(FINISH);
            case FINISH -> EnumSet.of(DONE);
            case DONE -> EnumSet.noneOf(ClosePhase.class);
        };
    }

    public boolean canMoveTo(ClosePhase next) {
        return next().contains(next);
    }

    /** The phase a cancel or a failed close goes to after SETTLE, and a successful one. */
    public static ClosePhase afterSettle(CloseOutcome outcome) {
        return outcome == CloseOutcome.SUCCEEDED ? LAUNCH : FINISH;
    }
}
