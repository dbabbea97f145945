package io.fomo.treasury.ledger;

import java.util.Comparator;
import java.util.Objects;

/**
 * The address of an account: (owner, token, kind). Ordered by (owner, token, kind) so that account rows
 * are always created in one global order (no deadlock between two batches creating the same accounts).
 */
public record AccountKey(String owner, String token, AccountKind kind) implements Comparable<AccountKey> {

    private static final Comparator<AccountKey> ORDER = Comparator.comparing(AccountKey::owner)
            .thenComparing(AccountKey::token)
            .thenComparing(k -> k.kind().name());

    public AccountKey {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(kind, "kind");
    }

    /** A protocol-wide account of a token, e.g. its ISSUER or BURN account. */
    public static AccountKey protocol(String token, AccountKind kind) {
        return new AccountKey(LedgerRules.PROTOCOL, token, kind);
    }

    @Override
    public int compareTo(AccountKey other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return owner + "/" + token + "/" + kind;
    }
}
