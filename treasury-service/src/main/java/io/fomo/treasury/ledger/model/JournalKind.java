package io.fomo.treasury.ledger.model;

/** The kind of a journal row (see {@code V2__ledger.sql}). */
public enum JournalKind {
    /** Posted at once; mints (from ISSUER) and burns (to BURN) too. */
    TRANSFER,
    /** Amount held on the debit account. */
    PENDING,
    /** A pending transfer posted for the row's amount; the rest released. */
    POST,
    /** A pending transfer released in full by its owner's decision. */
    VOID,
    /** A pending transfer released in full because its expiry passed. */
    EXPIRE
}
