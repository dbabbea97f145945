package io.fomo.treasury.ledger.model;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The rules applied to plain maps: what {@link io.fomo.treasury.ledger.store.LedgerStore} does with PostgreSQL, without it. Accounts exist
 * implicitly (created on first read). For tests of {@link LedgerRules}.
 */
final class InMemoryLedger implements LedgerRules.View {

    private final Map<AccountKey, AccountState> accounts = new TreeMap<>();
    private final Map<String, Pending> pendings = new HashMap<>();
    private final Map<String, LedgerToken> tokens = new HashMap<>();
    private final List<JournalEntry> journal = new ArrayList<>();
    private long nextId = 1;

    InMemoryLedger withToken(LedgerToken token) {
        tokens.put(token.symbol(), token);
        return this;
    }

    static InMemoryLedger withBaseTokens() {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        return new InMemoryLedger()
                .withToken(new LedgerToken("FLOCK", 18, TokenKind.FLOCK, null, t0, null))
                .withToken(new LedgerToken("USDC", 6, TokenKind.USDC, null, t0, null));
    }

    /** Applies the batch; on refusal throws and changes nothing. */
    LedgerRules.Outcome submit(String batchId, List<Operation> ops, Instant now) {
        for (AccountKey key : LedgerRules.accountsTouched(ops, pendings::get)) {
            account(key);
        }
        LedgerRules.Outcome outcome = LedgerRules.apply(batchId, ops, this, now);
        outcome.accounts().forEach(a -> accounts.put(a.key(), a));
        outcome.pendings().forEach(p -> pendings.put(p.pendingId(), p));
        outcome.registered().forEach(t -> tokens.put(t.symbol(), t));
        outcome.minted().forEach(t -> tokens.put(t.symbol(), t));
        journal.addAll(outcome.journal());
        return outcome;
    }

    LedgerRules.Outcome submit(Operation op, Instant now) {
        return submit(null, List.of(op), now);
    }

    @Override
    public AccountState account(AccountKey key) {
        return accounts.computeIfAbsent(key, k -> AccountState.empty(nextId++, k));
    }

    @Override
    public Pending pending(String pendingId) {
        return pendings.get(pendingId);
    }

    @Override
    public LedgerToken token(String symbol) {
        return tokens.get(symbol);
    }

    Collection<AccountState> accounts() {
        return accounts.values();
    }

    List<JournalEntry> journal() {
        return journal;
    }

    Collection<Pending> pendings() {
        return pendings.values();
    }

    BigInteger balance(AccountKey key) {
        return account(key).balance();
    }

    BigInteger available(AccountKey key) {
        return account(key).available();
    }

    /** Every account's totals recomputed from the journal (as the audit does), keyed like {@link #accounts()}. */
    Map<AccountKey, BigInteger[]> fromJournal() {
        Map<String, Boolean> resolved = new HashMap<>();
        for (JournalEntry e : journal) {
            if (e.kind() != JournalKind.TRANSFER && e.kind() != JournalKind.PENDING) {
                resolved.put(e.pendingId(), true);
            }
        }
        Map<AccountKey, BigInteger[]> sums = new HashMap<>();
        for (JournalEntry e : journal) {
            BigInteger[] d = sums.computeIfAbsent(e.debit(), k -> zeros());
            BigInteger[] c = sums.computeIfAbsent(e.credit(), k -> zeros());
            switch (e.kind()) {
                case TRANSFER, POST -> {
                    d[1] = d[1].add(e.amount());
                    c[3] = c[3].add(e.amount());
                }
                case PENDING -> {
                    if (!resolved.containsKey(e.id())) {
                        d[0] = d[0].add(e.amount());
                        c[2] = c[2].add(e.amount());
                    }
                }
                default -> {
                }
            }
        }
        return sums;
    }

    private static BigInteger[] zeros() {
        return new BigInteger[] {BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO};
    }
}
