package io.fomo.treasury.ledger;

/** The state of a pending (two-phase) transfer; every state but PENDING is final. */
public enum PendingState {
    PENDING, POSTED, VOIDED, EXPIRED
}
