package io.fomo.treasury.ledger.model;


import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.fomo.shared.web.ProblemException;
import io.fomo.treasury.ledger.model.Operation.CreatePending;
import io.fomo.treasury.ledger.model.Operation.ExpirePending;
import io.fomo.treasury.ledger.model.Operation.MintSupply;
import io.fomo.treasury.ledger.model.Operation.PostPending;
import io.fomo.treasury.ledger.model.Operation.RegisterModelToken;
import io.fomo.treasury.ledger.model.Operation.Transfer;
import io.fomo.treasury.ledger.model.Operation.VoidPending;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * The rules alone, in memory: random sequences of transfers, mints, burns, pending create/post/void/expire,
 * atomic batches and repeated mints, checking after EVERY operation that no constrained account is overdrawn,
 * minted = Σ balances + burned per token (Σ of all balances = 0), every account equals the journal, and that a
 * refused operation or batch changed nothing at all. (The same, through PostgreSQL and with concurrency, is
 * {@link LedgerStoreProperties}.)
 */
class LedgerRulesProperties {

    static final Instant T0 = Instant.parse("2026-06-01T00:00:00Z");
    static final String MT = "QWENTEST";
    static final List<String> OWNERS = List.of("alice", "bob", "carol", "dave");

    /** One step, in indices into the universe, so that jqwik can shrink it. */
    record Step(int kind, int from, int to, int token, long amount, int pick) {
    }

    @Provide
    Arbitrary<Step> steps() {
        return Combinators.combine(
                Arbitraries.integers().between(0, 11),
                Arbitraries.integers().between(0, 5),
                Arbitraries.integers().between(0, 5),
                Arbitraries.integers().between(0, 1),
                Arbitraries.longs().between(1, 400_000),
                Arbitraries.integers().between(0, 1000)).as(Step::new);
    }

    @Property(tries = 500)
    void everyOperationKeepsTheInvariants(@ForAll @Size(min = 50, max = 120) List<@net.jqwik.api.From("steps") Step> steps) {
        InMemoryLedger ledger = InMemoryLedger.withBaseTokens();
        ledger.submit(null, List.of(new RegisterModelToken(MT, "dep-test"),
                new MintSupply("mint", AccountKey.protocol(MT, AccountKind.TREASURY), LedgerRules.MODEL_TOKEN_SUPPLY,
                        null)), T0);
        List<String> pendingIds = new ArrayList<>();
        Instant now = T0;
        int n = 0;
        for (Step step : steps) {
            now = now.plusSeconds(1);
            String id = "op" + (n++);
            List<Operation> ops = operations(step, id, now, pendingIds, ledger);
            Snapshot before = Snapshot.of(ledger);
            try {
                ledger.submit(ops.size() == 1 ? null : "batch-" + id, ops, now);
                ops.stream().filter(o -> o instanceof CreatePending).forEach(o -> pendingIds.add(o.id()));
            } catch (ProblemException refused) {
                assertThat(Snapshot.of(ledger)).as("a refused %s changed nothing", ops).isEqualTo(before);
            }
            checkInvariants(ledger);
        }
    }

    private static List<Operation> operations(Step s, String id, Instant now, List<String> pendingIds,
            InMemoryLedger ledger) {
        String token = s.token() == 0 ? "USDC" : MT;
        BigInteger amount = BigInteger.valueOf(s.amount()).multiply(s.token() == 0
                ? BigInteger.valueOf(1_000) : BigInteger.TEN.pow(18));
        AccountKey from = account(s.from(), token);
        AccountKey to = account(s.to(), token);
        String pending = pendingIds.isEmpty() ? "none" : pendingIds.get(s.pick() % pendingIds.size());
        return switch (s.kind()) {
            case 0 -> List.of(new Transfer(id, AccountKey.protocol("USDC", AccountKind.ISSUER),
                    account(s.to(), "USDC"), amount.multiply(BigInteger.valueOf(50)), "MINT", null));
            case 1 -> List.of(new Transfer(id, AccountKey.protocol(MT, AccountKind.TREASURY), account(s.to(), MT),
                    amount, "DISTRIBUTE", null));
            case 2, 3 -> List.of(new Transfer(id, from, to, amount, "MOVE", null));
            case 4 -> List.of(new Transfer(id, from, AccountKey.protocol(token, AccountKind.BURN), amount, "BURN", null));
            case 5 -> List.of(new CreatePending(id, from, to, amount, "HOLD", null,
                    s.pick() % 2 == 0 ? null : now.plus(Duration.ofSeconds(s.pick() % 30 + 1))));
            case 6 -> List.of(new PostPending(id, pending, s.pick() % 3 == 0 ? null
                    : LedgerRules.format(ledger.token(token), amount.divide(BigInteger.valueOf(3)).max(BigInteger.ONE))));
            case 7 -> List.of(new VoidPending(id, pending));
            case 8 -> List.of(new ExpirePending(id, pending));
            case 9 -> List.of(new MintSupply(id, account(s.to(), MT), LedgerRules.MODEL_TOKEN_SUPPLY, null));
            default -> {
                // An atomic batch of 2-5 moves out of one account: all or nothing.
                List<Operation> batch = new ArrayList<>();
                int size = 2 + s.pick() % 4;
                for (int i = 0; i < size; i++) {
                    batch.add(new Transfer(id + "." + i, from, account((s.to() + i) % 6, token),
                            amount.divide(BigInteger.valueOf(i + 1)), "BATCH", null));
                }
                yield batch;
            }
        };
    }

    /** Owners 0-3 are people, 4 an offering escrow, 5 the treasury. */
    private static AccountKey account(int index, String token) {
        if (index < 4) {
            return new AccountKey(OWNERS.get(index), token, AccountKind.USER);
        }
        if (index == 4) {
            return new AccountKey("offering-1", token, AccountKind.OFFERING_ESCROW);
        }
        return AccountKey.protocol(token, AccountKind.TREASURY);
    }

    static void checkInvariants(InMemoryLedger ledger) {
        Map<String, BigInteger> sumByToken = new HashMap<>();
        Map<String, BigInteger[]> supply = new HashMap<>();
        for (AccountState a : ledger.accounts()) {
            if (a.constrained()) {
                assertThat(a.available().signum()).as("available of %s", a.key()).isNotNegative();
            }
            sumByToken.merge(a.key().token(), a.balance(), BigInteger::add);
            BigInteger[] s = supply.computeIfAbsent(a.key().token(),
                    t -> new BigInteger[] {BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO});
            switch (a.key().kind()) {
                case ISSUER -> s[0] = s[0].add(a.balance().negate());
                case BURN -> s[2] = s[2].add(a.balance());
                default -> s[1] = s[1].add(a.balance());
            }
        }
        sumByToken.forEach((token, sum) -> assertThat(sum).as("Σ balances of %s", token).isZero());
        supply.forEach((token, s) -> assertThat(s[0]).as("minted = balances + burned for %s", token)
                .isEqualTo(s[1].add(s[2])));
        Map<AccountKey, BigInteger[]> journal = ledger.fromJournal();
        for (AccountState a : ledger.accounts()) {
            BigInteger[] j = journal.getOrDefault(a.key(),
                    new BigInteger[] {BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO});
            assertThat(new BigInteger[] {a.debitsPending(), a.debitsPosted(), a.creditsPending(), a.creditsPosted()})
                    .as("%s equals the journal", a.key()).containsExactly(j);
        }
    }

    /** Everything observable of the ledger, to compare before and after a refusal. */
    record Snapshot(Map<AccountKey, List<BigInteger>> accounts, Map<String, Pending> pendings, int journal,
            Map<String, Boolean> minted) {
        static Snapshot of(InMemoryLedger ledger) {
            Map<AccountKey, List<BigInteger>> accounts = new HashMap<>();
            for (AccountState a : ledger.accounts()) {
                if (a.debitsPosted().signum() != 0 || a.creditsPosted().signum() != 0
                        || a.debitsPending().signum() != 0 || a.creditsPending().signum() != 0) {
                    accounts.put(a.key(), List.of(a.debitsPending(), a.debitsPosted(), a.creditsPending(),
                            a.creditsPosted()));
                }
            }
            Map<String, Pending> pendings = new HashMap<>();
            ledger.pendings().forEach(p -> pendings.put(p.pendingId(), p));
            Map<String, Boolean> minted = new HashMap<>();
            for (String t : List.of("FLOCK", "USDC", MT)) {
                minted.put(t, ledger.token(t) != null && ledger.token(t).isMinted());
            }
            return new Snapshot(accounts, pendings, ledger.journal().size(), minted);
        }
    }
}
