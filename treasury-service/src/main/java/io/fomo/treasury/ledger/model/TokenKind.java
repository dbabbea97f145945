package io.fomo.treasury.ledger.model;

/** The three kinds of token the ledger keeps (SPEC §2). */
public enum TokenKind {
    /** The protocol token: a fixed supply minted once at genesis. */
    FLOCK,
    /** Minted by deposits and top-ups from its ISSUER account, at any time. */
    USDC,
    /** A model token: registered, then minted once, exactly 1,000,000, by its launch batch. */
    MODEL
}
