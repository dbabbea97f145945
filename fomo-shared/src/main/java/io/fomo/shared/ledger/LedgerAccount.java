package io.fomo.shared.ledger;

import java.util.Objects;

/**
 * A ledger account reference (ledger.proto {@code AccountRef}): an owner and a kind; the token is given per operation.
 * Protocol-wide accounts belong to {@value #PROTOCOL}.
 */
public record LedgerAccount(String owner, Kind kind) {

    /** The owner of the protocol-wide accounts (TREASURY, EMISSION_RESERVE, PROTOCOL_COSTS, ...). */
    public static final String PROTOCOL = "protocol";

    /** The account kinds of ledger.proto, without their {@code ACCOUNT_KIND_} prefix. */
    public enum Kind {
        USER, ISSUER, BURN, TREASURY, EMISSION_RESERVE, OFFERING_ESCROW, POOL_RESERVE, STAKING_CUSTODY, UNBONDING,
        VESTING, REWARD_POOL, STAKER_REWARDS, PREPAID_CREDITS, COMPUTE_PAYABLE, OWNER_YIELD, PROTOCOL_COSTS,
        BUYBACK_CARRY, BRIDGE
    }

    public LedgerAccount {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(kind, "kind");
    }

    public static LedgerAccount of(String owner, Kind kind) {
        return new LedgerAccount(owner, kind);
    }

    /** {@code (owner, USER)}. */
    public static LedgerAccount user(String owner) {
        return new LedgerAccount(owner, Kind.USER);
    }

    /** {@code ("protocol", kind)}. */
    public static LedgerAccount protocol(Kind kind) {
        return new LedgerAccount(PROTOCOL, kind);
    }

    @Override
    public String toString() {
        return "(" + owner + ", " + kind + ")";
    }
}
