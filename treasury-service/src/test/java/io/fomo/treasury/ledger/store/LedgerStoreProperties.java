package io.fomo.treasury.ledger.store;

import io.fomo.treasury.ledger.LedgerService;
import io.fomo.treasury.ledger.model.AccountKey;
import io.fomo.treasury.ledger.model.AccountKind;
import io.fomo.treasury.ledger.model.LedgerRules;
import io.fomo.treasury.ledger.model.LedgerToken;
import io.fomo.treasury.ledger.model.Operation;
import io.fomo.treasury.ledger.model.OperationResult;
import io.fomo.treasury.ledger.model.PendingState;
import io.fomo.treasury.ledger.model.TokenKind;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;


import io.fomo.shared.web.ProblemException;
import io.fomo.treasury.FixtureRows;
import io.fomo.treasury.ScratchLedger;
import io.fomo.treasury.audit.AuditReport;
import io.fomo.treasury.audit.AuditService;
import io.fomo.treasury.ledger.store.LedgerStore.Applied;
import io.fomo.treasury.ledger.model.Operation.CreatePending;
import io.fomo.treasury.ledger.model.Operation.MintSupply;
import io.fomo.treasury.ledger.model.Operation.PostPending;
import io.fomo.treasury.ledger.model.Operation.RegisterModelToken;
import io.fomo.treasury.ledger.model.Operation.Transfer;
import io.fomo.treasury.ledger.model.Operation.VoidPending;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The ledger through PostgreSQL: the real {@link LedgerStore} transactions (locks, idempotency lookups,
 * set-based writes) on their own scratch database ({@code fomo_treasury_prop_<pid>}, dropped afterwards),
 * migrated by the service's Flyway scripts.
 *
 * <p>Each of at least 500 sequences of at least 50 steps gets its own model token (registered and minted once)
 * and its own accounts, and mixes USDC mints, transfers, burns, pending create/post/void/expire, atomic batches,
 * replays and conflicting replays of ids, repeated mints, and <b>concurrent</b> steps on the same accounts: up
 * to 6 debits of one account at once, post/post/void racing for one pending transfer, the same id submitted 4
 * times at once. A model predicts every sequential step's outcome exactly; concurrent steps are checked for
 * what any serial order must give (each failed debit was unaffordable at the end too, exactly one winner of a
 * race, an id applied once). After each sequence: the accounts equal the model, no constrained account is
 * negative, minted = balances + burned per token, and the audit (balances = journal) is ok.
 */
class LedgerStoreProperties {

    static final BigInteger USDC_UNIT = BigInteger.valueOf(1_000_000);
    static final BigInteger MT_UNIT = BigInteger.TEN.pow(18);
    static final AccountKey USDC_ISSUER = AccountKey.protocol("USDC", AccountKind.ISSUER);

    static Pool pool;
    static LedgerService ledger;
    static AuditService audit;
    static final AtomicInteger sequences = new AtomicInteger();

    static ScratchLedger scratch;

    @BeforeContainer
    static void startLedger() {
        scratch = ScratchLedger.start("prop", 8, true, ScratchLedger.config());
        pool = scratch.pool;
        ledger = scratch.ledger;
        audit = scratch.audit;
    }

    @AfterContainer
    static void stopLedger() {
        if (scratch != null) {
            scratch.close();
        }
    }

    /** One step; the numbers are indices and sizes interpreted against the sequence's state (shrinkable). */
    record Step(int kind, int from, int to, int token, int amount, int pick) {
    }

    @Provide
    Arbitrary<Step> steps() {
        return Combinators.combine(
                Arbitraries.integers().between(0, 14),
                Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, 1),
                Arbitraries.integers().between(1, 100),
                Arbitraries.integers().between(0, 9999)).as(Step::new);
    }

    @Property(tries = 500, shrinking = ShrinkingMode.BOUNDED)
    void randomSequencesThroughPostgresKeepEveryInvariant(
            @ForAll @Size(50) List<@From("steps") Step> steps) {
        new Sequence(sequences.incrementAndGet()).run(steps);
    }

    /** One sequence: its own model token and accounts, and the model of what they must hold. */
    static final class Sequence {
        final String ns;
        final String mt;
        final AccountKey mtTreasury;
        final Model model = new Model();
        final List<Operation> applied = new ArrayList<>();
        int ids;

        Sequence(int number) {
            this.ns = "s" + number + "-" + System.nanoTime();
            // Fixed widths: "PT" + "1" + "0A" and "PT" + "10" + "A" were the same symbol (TOKEN_EXISTS in a CI run).
            String sequence = pad(Integer.toString(number % 46656, 36), 3);
            this.mt = ("PT" + sequence + pad(Long.toString(System.nanoTime() % 1296, 36), 2)).toUpperCase();
            this.mtTreasury = new AccountKey(ns + "-ops", mt, AccountKind.TREASURY);
        }

        private static String pad(String s, int width) {
            return "0".repeat(Math.max(0, width - s.length())) + s;
        }

        AccountKey user(int i, String token) {
            return new AccountKey(ns + "-u" + i, token, AccountKind.USER);
        }

        AccountKey escrow(String token) {
            return new AccountKey(ns + "-escrow", token, AccountKind.OFFERING_ESCROW);
        }

        String id() {
            return ns + ":" + (ids++);
        }

        void run(List<Step> steps) {
            Outcome launch = await(() -> ledger.batch(ns + ":launch", Set.of(mt), m -> List.of(
                    new RegisterModelToken(mt, "dep-" + ns),
                    new MintSupply(ns + ":mint", mtTreasury, LedgerRules.MODEL_TOKEN_SUPPLY, null))));
            assertThat(launch.code).as("launch").isNull();
            model.credit(mtTreasury, LedgerRules.MODEL_TOKEN_SUPPLY);
            model.debit(AccountKey.protocol(mt, AccountKind.ISSUER), LedgerRules.MODEL_TOKEN_SUPPLY);
            for (Step step : steps) {
                step(step);
            }
            verify();
        }

        void step(Step s) {
            String token = s.token() == 0 ? "USDC" : mt;
            BigInteger unit = s.token() == 0 ? USDC_UNIT : MT_UNIT;
            BigInteger amount = BigInteger.valueOf(s.amount()).multiply(unit).divide(BigInteger.valueOf(7))
                    .add(BigInteger.valueOf(s.pick()));
            AccountKey from = user(s.from(), token);
            AccountKey to = s.to() == s.from() ? escrow(token) : user(s.to(), token);
            switch (s.kind()) {
                case 0 -> single(new Transfer(id(), USDC_ISSUER, user(s.to(), "USDC"),
                        amount.multiply(BigInteger.valueOf(30)), "MINT", null));
                case 1 -> single(new Transfer(id(), mtTreasury, user(s.to(), mt),
                        amount.multiply(BigInteger.valueOf(1000)), "DISTRIBUTE", null));
                case 2, 3 -> single(new Transfer(id(), from, to, amount, "MOVE", null));
                case 4 -> single(new Transfer(id(), from, AccountKey.protocol(token, AccountKind.BURN), amount, "BURN",
                        null));
                case 5 -> single(new CreatePending(id(), from, escrow(token), amount, "HOLD", null,
                        s.pick() % 3 == 0 ? null : expiry(1 + s.pick() % 5)));
                case 6 -> post(s);
                case 7 -> voidPending(s);
                case 8 -> expire(s);
                case 9 -> concurrentDebits(s, token, unit);
                case 10 -> race(s);
                case 11 -> batch(s, token, amount);
                case 12 -> replay(s);
                case 13 -> repeats(from, to, amount);
                default -> {
                    Outcome again = await(() -> ledger.batch(id(), Set.of(mt), m -> List.of(
                            new MintSupply(id(), mtTreasury, LedgerRules.MODEL_TOKEN_SUPPLY, null))));
                    assertThat(again.code).as("a second mint of %s", mt).isEqualTo("TOKEN_ALREADY_MINTED");
                }
            }
        }

        static Instant expiry(int hours) {
            return Instant.now().truncatedTo(ChronoUnit.MICROS).plus(Duration.ofHours(hours));
        }

        /** A single operation whose outcome the model predicts exactly. */
        void single(Operation op) {
            String expected = model.copy().apply(op);
            Outcome outcome = await(() -> ledger.single(Set.of(tokenOf(op)), m -> op));
            assertThat(outcome.code).as("outcome of %s (model state %s)", op, model).isEqualTo(expected);
            if (expected == null) {
                assertThat(outcome.applied.replayed()).isFalse();
                model.apply(op);
                applied.add(op);
            }
        }

        String tokenOf(Operation op) {
            if (op instanceof Transfer t) {
                return t.token();
            }
            if (op instanceof CreatePending c) {
                return c.token();
            }
            return mt;
        }

        String somePending(int pick, boolean openOnly) {
            List<String> ids = new ArrayList<>();
            model.pendings.forEach((id, p) -> {
                if (!openOnly || p.state == PendingState.PENDING) {
                    ids.add(id);
                }
            });
            return ids.isEmpty() ? ns + ":no-such-pending" : ids.get(pick % ids.size());
        }

        void post(Step s) {
            String pendingId = somePending(s.pick(), s.pick() % 4 != 0);
            Model.MPending p = model.pendings.get(pendingId);
            String amount = null;
            if (p != null && s.pick() % 3 != 0) {
                LedgerToken token = p.debit.token().equals("USDC")
                        ? new LedgerToken("USDC", 6, TokenKind.USDC, null, null, null)
                        : new LedgerToken(mt, 18, TokenKind.MODEL, "x", null, null);
                // Partly (sometimes more than pending: refused with INVALID_AMOUNT).
                BigInteger part = p.amount.multiply(BigInteger.valueOf(1 + s.pick() % 5)).divide(BigInteger.valueOf(4))
                        .max(BigInteger.ONE);
                amount = LedgerRules.format(token, part);
            }
            single(new PostPending(id(), pendingId, amount));
        }

        void voidPending(Step s) {
            single(new VoidPending(id(), somePending(s.pick(), s.pick() % 4 != 0)));
        }

        /** Expires everything due within a horizon (like the scheduler would, later). */
        void expire(Step s) {
            Instant horizon = Instant.now().truncatedTo(ChronoUnit.MICROS).plus(Duration.ofHours(1 + s.pick() % 5))
                    .plus(Duration.ofMinutes(30));
            Applied applied = ledger.expireDue(horizon, 10_000).await().indefinitely();
            int mine = model.expireDue(horizon);
            long expiredHere = applied.results().stream()
                    .filter(r -> ((OperationResult.PendingDone) r).pending().pendingId().startsWith(ns + ":"))
                    .count();
            assertThat(expiredHere).as("pending transfers of this sequence expired by %s", horizon).isEqualTo(mine);
        }

        /** 2-6 debits of one account at once (transfers and holds). */
        void concurrentDebits(Step s, String token, BigInteger unit) {
            AccountKey payer = user(s.from(), token);
            int n = 2 + s.pick() % 5;
            List<Operation> ops = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                BigInteger amount = BigInteger.valueOf(s.amount() + 13L * i).multiply(unit).divide(BigInteger.valueOf(3));
                ops.add(i % 2 == 0
                        ? new Transfer(id(), payer, user((s.from() + 1 + i % 3) % 4, token), amount, "RACE", null)
                        : new CreatePending(id(), payer, escrow(token), amount, "RACE", null, null));
            }
            List<Outcome> outcomes = concurrently(ops);
            for (int i = 0; i < n; i++) {
                if (outcomes.get(i).code == null) {
                    model.apply(ops.get(i));
                    applied.add(ops.get(i));
                }
            }
            BigInteger available = model.available(payer);
            assertThat(available.signum()).as("available of %s after a race", payer).isNotNegative();
            for (int i = 0; i < n; i++) {
                Outcome o = outcomes.get(i);
                if (o.code != null) {
                    assertThat(o.code).isEqualTo("INSUFFICIENT_BALANCE");
                    // Debits only lower the payer's available balance: a refused one did not fit at the end either.
                    assertThat(available).as("refused %s with %s available at the end", ops.get(i), available)
                            .isLessThan(amountOf(ops.get(i)));
                }
            }
        }

        /** Post, partial post and void of one open pending transfer at once: exactly one wins. */
        void race(Step s) {
            String pendingId = somePending(s.pick(), true);
            if (!model.pendings.containsKey(pendingId)) {
                return;
            }
            Model.MPending p = model.pendings.get(pendingId);
            LedgerToken token = p.debit.token().equals("USDC")
                    ? new LedgerToken("USDC", 6, TokenKind.USDC, null, null, null)
                    : new LedgerToken(mt, 18, TokenKind.MODEL, "x", null, null);
            List<Operation> ops = List.of(new PostPending(id(), pendingId, null),
                    new PostPending(id(), pendingId, LedgerRules.format(token,
                            p.amount.divide(BigInteger.TWO).max(BigInteger.ONE))),
                    new VoidPending(id(), pendingId));
            List<Outcome> outcomes = concurrently(ops);
            int winners = 0;
            for (int i = 0; i < ops.size(); i++) {
                if (outcomes.get(i).code == null) {
                    winners++;
                    model.apply(ops.get(i));
                } else {
                    assertThat(outcomes.get(i).code).isEqualTo("PENDING_NOT_PENDING");
                }
            }
            assertThat(winners).as("winners of the race for %s", pendingId).isEqualTo(1);
        }

        /** An atomic batch of 2-5 moves: all or nothing, as the model says. */
        void batch(Step s, String token, BigInteger amount) {
            List<Operation> ops = new ArrayList<>();
            int n = 2 + s.pick() % 4;
            for (int i = 0; i < n; i++) {
                AccountKey from = user((s.from() + i) % 4, token);
                ops.add(i == n - 1 && s.pick() % 2 == 0
                        ? new CreatePending(id(), from, escrow(token), amount, "BATCH", null, null)
                        : new Transfer(id(), from, user((s.from() + i + 1) % 4, token), amount, "BATCH", null));
            }
            Model trial = model.copy();
            String expected = null;
            for (Operation op : ops) {
                expected = trial.apply(op);
                if (expected != null) {
                    break;
                }
            }
            String batchId = id();
            Outcome outcome = await(() -> ledger.batch(batchId, Set.of(token), m -> ops));
            assertThat(outcome.code).as("batch %s", ops).isEqualTo(expected);
            if (expected == null) {
                ops.forEach(model::apply);
                Outcome replay = await(() -> ledger.batch(batchId, Set.of(token), m -> ops));
                assertThat(replay.applied.replayed()).isTrue();
            }
        }

        /** An earlier operation again: the same content replays; other content is a conflict. */
        void replay(Step s) {
            if (applied.isEmpty()) {
                return;
            }
            Operation op = applied.get(s.pick() % applied.size());
            boolean conflicting = s.pick() % 2 == 1;
            Operation sent = conflicting ? withAmountPlusOne(op) : op;
            Outcome outcome = await(() -> ledger.single(Set.of(tokenOf(sent)), m -> sent));
            if (conflicting) {
                assertThat(outcome.code).isEqualTo("IDEMPOTENCY_CONFLICT");
            } else {
                assertThat(outcome.code).isNull();
                assertThat(outcome.applied.replayed()).isTrue();
            }
        }

        static Operation withAmountPlusOne(Operation op) {
            if (op instanceof Transfer t) {
                return new Transfer(t.id(), t.debit(), t.credit(), t.amount().add(BigInteger.ONE), t.code(), t.reference());
            }
            if (op instanceof CreatePending c) {
                return new CreatePending(c.id(), c.debit(), c.credit(), c.amount().add(BigInteger.ONE), c.code(),
                        c.reference(), c.expiresAt());
            }
            if (op instanceof PostPending p) {
                return new PostPending(p.id(), p.pendingId() + "x", p.amount());
            }
            VoidPending v = (VoidPending) op;
            return new VoidPending(v.id(), v.pendingId() + "x");
        }

        /** The same new transfer 4 times at once: applied once, the others are replays. */
        void repeats(AccountKey from, AccountKey to, BigInteger amount) {
            Transfer op = new Transfer(id(), from, to, amount, "REPEAT", null);
            String expected = model.copy().apply(op);
            List<Outcome> outcomes = concurrently(List.of(op, op, op, op));
            for (Outcome o : outcomes) {
                assertThat(o.code).as("a repeat of %s", op).isEqualTo(expected);
            }
            if (expected == null) {
                assertThat(outcomes.stream().filter(o -> !o.applied.replayed()).count()).isEqualTo(1);
                model.apply(op);
                applied.add(op);
            }
        }

        List<Outcome> concurrently(List<Operation> ops) {
            List<Uni<Outcome>> unis = new ArrayList<>();
            for (Operation op : ops) {
                unis.add(outcome(ledger.single(Set.of(tokenOf(op)), m -> op)));
            }
            return Uni.join().all(unis).andCollectFailures().await().atMost(Duration.ofMinutes(1));
        }

        /** After the sequence: the accounts equal the model, and the ledger-wide invariants hold. */
        void verify() {
            Map<AccountKey, BigInteger[]> db = new HashMap<>();
            pool.preparedQuery("""
                    SELECT owner, token, kind, credits_posted - debits_posted AS balance, debits_pending AS held
                    FROM ledger_account WHERE owner LIKE $1 OR (owner = 'protocol' AND token = $2)""")
                    .execute(Tuple.of(ns + "-%", mt)).await().indefinitely()
                    .forEach(row -> db.put(new AccountKey(row.getString("owner"), row.getString("token"),
                            AccountKind.valueOf(row.getString("kind"))),
                            new BigInteger[] {FixtureRows.units(row, "balance"), FixtureRows.units(row, "held")}));
            model.balances.forEach((key, balance) -> {
                if (key.owner().startsWith(ns) || key.token().equals(mt)) {
                    BigInteger[] actual = db.getOrDefault(key, new BigInteger[] {BigInteger.ZERO, BigInteger.ZERO});
                    assertThat(actual[0]).as("balance of %s", key).isEqualTo(balance);
                    assertThat(actual[1]).as("held of %s", key).isEqualTo(model.held(key));
                }
            });
            Row overdrawn = pool.query("""
                    SELECT count(*) AS n FROM ledger_account
                    WHERE constrained AND credits_posted - debits_posted - debits_pending < 0""")
                    .execute().await().indefinitely().iterator().next();
            assertThat(overdrawn.getLong("n")).as("constrained accounts below zero").isZero();
            pool.preparedQuery("""
                    SELECT token, SUM(credits_posted - debits_posted) AS total, SUM(debits_pending) AS dp,
                           SUM(credits_pending) AS cp
                    FROM ledger_account WHERE token = ANY($1) GROUP BY token""")
                    .execute(Tuple.of(new String[] {mt, "USDC"})).await().indefinitely().forEach(row -> {
                        assertThat(FixtureRows.units(row, "total")).as("Σ balances of %s (minted = balances + burned)",
                                row.getString("token")).isZero();
                        assertThat(FixtureRows.units(row, "dp")).isEqualTo(FixtureRows.units(row, "cp"));
                    });
            AuditReport report = audit.audit(List.of(mt, "USDC")).await().indefinitely();
            assertThat(report.ok()).as("audit %s", report).isTrue();
            assertThat(report.tokens()).extracting(AuditReport.TokenCheck::symbol).containsExactlyInAnyOrder(mt, "USDC");
            assertThat(report.tokens().stream().filter(t -> t.symbol().equals(mt)).findFirst().orElseThrow().minted())
                    .isEqualTo("1000000");
        }
    }

    static BigInteger amountOf(Operation op) {
        return op instanceof Transfer t ? t.amount() : ((CreatePending) op).amount();
    }

    /** What a call did: its refusal code, or (null code) what it applied. */
    record Outcome(String code, Applied applied) {
    }

    static Uni<Outcome> outcome(Uni<Applied> call) {
        return call.map(a -> new Outcome(null, a))
                .onFailure(ProblemException.class).recoverWithItem(e -> new Outcome(((ProblemException) e).code(), null));
    }

    static Outcome await(Supplier<Uni<Applied>> call) {
        return outcome(call.get()).await().atMost(Duration.ofMinutes(1));
    }

    /** What the accounts of a sequence must hold: posted balances, held amounts and pending transfers. */
    static final class Model {
        final Map<AccountKey, BigInteger> balances = new HashMap<>();
        final Map<AccountKey, BigInteger> held = new HashMap<>();
        final Map<String, MPending> pendings = new LinkedHashMap<>();

        static final class MPending {
            final AccountKey debit;
            final AccountKey credit;
            final BigInteger amount;
            final Instant expiresAt;
            PendingState state = PendingState.PENDING;

            MPending(AccountKey debit, AccountKey credit, BigInteger amount, Instant expiresAt) {
                this.debit = debit;
                this.credit = credit;
                this.amount = amount;
                this.expiresAt = expiresAt;
            }
        }

        Model copy() {
            Model m = new Model();
            m.balances.putAll(balances);
            m.held.putAll(held);
            pendings.forEach((id, p) -> {
                MPending c = new MPending(p.debit, p.credit, p.amount, p.expiresAt);
                c.state = p.state;
                m.pendings.put(id, c);
            });
            return m;
        }

        BigInteger balance(AccountKey key) {
            return balances.getOrDefault(key, BigInteger.ZERO);
        }

        BigInteger held(AccountKey key) {
            return held.getOrDefault(key, BigInteger.ZERO);
        }

        BigInteger available(AccountKey key) {
            return balance(key).subtract(held(key));
        }

        void credit(AccountKey key, BigInteger amount) {
            balances.merge(key, amount, BigInteger::add);
        }

        void debit(AccountKey key, BigInteger amount) {
            balances.merge(key, amount.negate(), BigInteger::add);
        }

        boolean affords(AccountKey key, BigInteger amount) {
            return !key.kind().constrained() || available(key).compareTo(amount) >= 0;
        }

        /** Applies the operation if the ledger must accept it; else returns the refusal code and changes nothing. */
        String apply(Operation op) {
            if (op instanceof Transfer t) {
                if (!affords(t.debit(), t.amount())) {
                    return "INSUFFICIENT_BALANCE";
                }
                debit(t.debit(), t.amount());
                credit(t.credit(), t.amount());
                return null;
            }
            if (op instanceof CreatePending c) {
                if (!affords(c.debit(), c.amount())) {
                    return "INSUFFICIENT_BALANCE";
                }
                held.merge(c.debit(), c.amount(), BigInteger::add);
                pendings.put(c.id(), new MPending(c.debit(), c.credit(), c.amount(), c.expiresAt()));
                return null;
            }
            if (op instanceof PostPending p) {
                MPending pending = pendings.get(p.pendingId());
                String refused = refusal(pending);
                if (refused != null) {
                    return refused;
                }
                BigInteger posted = pending.amount;
                if (p.amount() != null) {
                    posted = new java.math.BigDecimal(p.amount()).movePointRight(
                            pending.debit.token().equals("USDC") ? 6 : 18).toBigIntegerExact();
                    if (posted.compareTo(pending.amount) > 0) {
                        return "INVALID_AMOUNT";
                    }
                }
                held.merge(pending.debit, pending.amount.negate(), BigInteger::add);
                debit(pending.debit, posted);
                credit(pending.credit, posted);
                pending.state = PendingState.POSTED;
                return null;
            }
            if (op instanceof VoidPending v) {
                MPending pending = pendings.get(v.pendingId());
                String refused = refusal(pending);
                if (refused != null) {
                    return refused;
                }
                held.merge(pending.debit, pending.amount.negate(), BigInteger::add);
                pending.state = PendingState.VOIDED;
                return null;
            }
            throw new IllegalArgumentException("not modelled: " + op);
        }

        private static String refusal(MPending pending) {
            if (pending == null) {
                return "PENDING_NOT_FOUND";
            }
            if (pending.state == PendingState.EXPIRED) {
                return "PENDING_EXPIRED";
            }
            return pending.state == PendingState.PENDING ? null : "PENDING_NOT_PENDING";
        }

        /** Expires the open pending transfers due at {@code horizon}; how many. */
        int expireDue(Instant horizon) {
            int n = 0;
            for (MPending p : pendings.values()) {
                if (p.state == PendingState.PENDING && p.expiresAt != null && !p.expiresAt.isAfter(horizon)) {
                    held.merge(p.debit, p.amount.negate(), BigInteger::add);
                    p.state = PendingState.EXPIRED;
                    n++;
                }
            }
            return n;
        }

        @Override
        public String toString() {
            return "balances=" + balances + ", held=" + held;
        }
    }
}
