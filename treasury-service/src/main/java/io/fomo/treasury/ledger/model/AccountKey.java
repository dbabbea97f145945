package io.fomo.treasury.ledger.model;

import java.util.Objects;

/**
 * The address of an account: (owner, token, kind). Ordered by (owner, token, kind) so that account rows
 * are always created in one global order (no deadlock between two batches creating the same accounts).
 */
public record AccountKey(String owner, String token, AccountKind kind) implements Comparable<AccountKey> {

    public AccountKey {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(kind, "kind");
    }

    /** A protocol-wide account of a token, e.g. its ISSUER or BURN account. */
    public static AccountKey protocol(String token, AccountKind kind) {
        return new AccountKey(LedgerRules.PROTOCOL, token, kind);
    }

    /** By owner, then token, then the kind's name (the order of PostgreSQL's address index for these texts). */
    @Override
    public int compareTo(AccountKey other) {
        int c = owner.compareTo(other.owner);
        if (c == 0) {
            c = token.compareTo(other.token);
        }
        return c != 0 || kind == other.kind ? c : kind.name().compareTo(other.kind.name());
    }

    // equals and hashCode written out: a record's generated ones go through method handles, and every batch looks
    // up each of its accounts in several hash maps (measured: a quarter of the Java-side hot path's CPU, HotPathCpu).
    @Override
    public boolean equals(Object o) {
        return this == o
                || o instanceof AccountKey k && kind == k.kind && owner.equals(k.owner) && token.equals(k.token);
    }

    @Override
    public int hashCode() {
        return (owner.hashCode() * 31 + token.hashCode()) * 31 + kind.ordinal();
    }

    @Override
    public String toString() {
        return owner + "/" + token + "/" + kind;
    }
}
