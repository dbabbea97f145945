package io.fomo.treasury.ledger.model;

import java.util.Set;

/**
 * The state of a pending (two-phase) transfer (SPEC §5 "two-phase transfers"): PENDING until it is posted (all or
 * part of it), voided, or expired; every state but PENDING is final. The values are those {@code ledger_pending.state}
 * allows (its CHECK constraint; {@code PendingStateTest} compares them).
 */
public enum PendingState {
    PENDING, POSTED, VOIDED, EXPIRED;

    /** The states this one may move to. */
    public Set<PendingState> next() {
        return this == PENDING ? Set.of(POSTED, VOIDED, EXPIRED) : Set.of();
    }

    public boolean canMoveTo(PendingState next) {
        return next().contains(next);
    }

    /** Whether the transfer is resolved for good. */
    public boolean isFinal() {
        return next().isEmpty();
    }
}
