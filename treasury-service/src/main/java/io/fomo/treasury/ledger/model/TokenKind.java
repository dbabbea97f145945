package io.fomo.treasury.ledger.model;

/** The three kinds of token the ledger keeps (SPEC §2). */
public enum TokenKind {
    /** The protocol token: a fixed supply minted once at genesis. */
    FLOCK,
    /** Minted by deposits and top-ups from its ISSUER account, at any time. */
    USDC,
    /** A model token: registered, then minted once, exactly 1,000,000, by its launch batch. */
    MODEL,
    /**
     * A pool's LP shares (issue #21), symbol {@code LP-<poolId>}: minted from its ISSUER account by liquidity adds and
     * burned by removes, at any time.
     */
    LP
}
