package io.fomo.treasury.payout;

import io.fomo.treasury.ledger.model.AccountKind;

/** What a payout row pays out, and from which account family. */
public enum PayoutKind {
    /** A user's own balance, (user, token, USER). */
    WITHDRAWAL(AccountKind.USER, "withdrawal:"),
    /** A compute provider's owed compute cost, (protocol, USDC, COMPUTE_PAYABLE). */
    PROVIDER_PAYOUT(AccountKind.COMPUTE_PAYABLE, "payout:"),
    /** The protocol treasury, (protocol, token, TREASURY). */
    TREASURY_PAYOUT(AccountKind.TREASURY, "payout:"),
    /** The protocol costs account, (protocol, token, PROTOCOL_COSTS). */
    PROTOCOL_COSTS_PAYOUT(AccountKind.PROTOCOL_COSTS, "payout:");

    private final AccountKind debit;
    private final String pendingPrefix;

    PayoutKind(AccountKind debit, String pendingPrefix) {
        this.debit = debit;
        this.pendingPrefix = pendingPrefix;
    }

    public AccountKind debit() {
        return debit;
    }

    /** The ledger pending transfer's id of row {@code id}: {@code withdrawal:<id>} or {@code payout:<id>}. */
    public String pendingId(String id) {
        return pendingPrefix + id;
    }
}
