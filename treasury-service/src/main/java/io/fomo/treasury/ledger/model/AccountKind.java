package io.fomo.treasury.ledger.model;

/**
 * What an account is for (the proto's {@code AccountKind}, without the prefix). Together with owner and
 * token it addresses one account. Every kind except {@link #ISSUER} is <em>constrained</em>: its available
 * balance (posted balance minus held) never goes below zero (SPEC §5 "accounts that must not go negative
 * cannot").
 */
public enum AccountKind {
    /** A person's spendable balance (owner: the user's {@code sub}). */
    USER,
    /** Source of every mint of a token (owner {@code protocol}); its balance is minus what was minted. */
    ISSUER,
    /** Sink of every burn of a token (owner {@code protocol}); never debited; its balance is what was burned. */
    BURN,
    TREASURY,
    EMISSION_RESERVE,
    OFFERING_ESCROW,
    POOL_RESERVE,
    STAKING_CUSTODY,
    UNBONDING,
    VESTING,
    REWARD_POOL,
    STAKER_REWARDS,
    PREPAID_CREDITS,
    COMPUTE_PAYABLE,
    OWNER_YIELD,
    PROTOCOL_COSTS,
    BUYBACK_CARRY,
    /** The bridge stand-in's float (owner {@code protocol}, FLOCK): FLOCK outside the protocol, paid out by deposits. */
    BRIDGE,
    /**
     * Paid out of the protocol (owner {@code protocol}, any token; issue #21, SPEC §7a): a withdrawal's or a protocol
     * payout's pending transfer is posted here once the payout processor (the bridge or the bank) has paid it.
     */
    BRIDGE_OUT,
    /** A launch's LP shares until their unlock date (owner: the pool's lp owner; token: the pool's LP token). */
    LP_LOCK;

    /** Whether the account's available balance must stay ≥ 0 (all but {@link #ISSUER}). */
    public boolean constrained() {
        return this != ISSUER;
    }

    /** Kinds whose owner must be {@value LedgerRules#PROTOCOL}. */
    public boolean protocolOnly() {
        return this == ISSUER || this == BURN;
    }
}
