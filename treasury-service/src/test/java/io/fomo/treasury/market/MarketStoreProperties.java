package io.fomo.treasury.market;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;


import io.fomo.shared.events.types.DeploymentLive;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.InvalidAmountException;
import io.fomo.shared.web.ProblemException;
import io.fomo.treasury.FixtureRows;
import io.fomo.treasury.ScratchLedger;
import io.fomo.treasury.TreasuryConfig;
import io.fomo.treasury.TreasuryConfig;
import io.fomo.treasury.audit.AuditReport;
import io.fomo.treasury.audit.AuditService;
import io.fomo.treasury.ledger.model.AccountKey;
import io.fomo.treasury.ledger.model.AccountKind;
import io.fomo.treasury.ledger.model.LedgerRules;
import io.fomo.treasury.ledger.LedgerService;
import io.fomo.treasury.ledger.store.LedgerStore.Plan;
import io.fomo.treasury.ledger.store.LedgerStore.Planned;
import io.fomo.treasury.ledger.model.LedgerToken;
import io.fomo.treasury.ledger.model.Operation;
import io.fomo.treasury.ledger.model.Operation.MintSupply;
import io.fomo.treasury.ledger.model.Operation.RegisterModelToken;
import io.fomo.treasury.ledger.model.Operation.Transfer;
import io.fomo.treasury.market.MarketResource.Quote;
import io.fomo.treasury.market.MarketService.PoolView;
import io.fomo.treasury.market.MarketService.SwapDone;
import io.fomo.treasury.market.MarketService.SwapOrder;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * SPEC §5's swap invariants (issue 7: "k never decreases; reserves never negative; quote = swap result") through
 * the real code path against PostgreSQL: {@link MarketResource#quote} (the REST quote, reserves read by
 * {@link MarketService#pools}) and {@link MarketService#swap} (one planned ledger transaction: accounts locked,
 * output computed from the locked reserves, transfers, swap row and TWAP written), on a scratch database
 * ({@code fomo_treasury_market_prop_<pid>}, migrated by the service's Flyway scripts, dropped afterwards), outside
 * Quarkus like {@code LedgerStoreProperties} (MarketService's collaborators are set by hand).
 *
 * <p>Each try is a fresh pool: an MT/FLOCK pool (18/18 decimals) launched and registered through
 * {@link PoolRegistry#insert} as from rmo's {@code DeploymentLive} (the projection's effect; its re-delivery rule is
 * the shared one, tested in fomo-shared), or a FLOCK/USDC pool (18/6 decimals) seeded in one
 * planned ledger execution like {@link MarketGenesis}; random reserves on both sides (from a few base units to
 * 10^28), a random fee (0..9999 bps) and swap-impact bound; four users with rich, modest and poor balances. Then a
 * random sequence of at least 20 steps in both directions: swaps of random sizes relative to the reserve (10^-21×,
 * rounded up to one base unit, to 100×), tiny absolute ones (a few base units), huge ones (the user's whole balance,
 * more than it, 10^3..10^6× the reserve), minAmountOut = the quote, quote − 1, 0 or quote + 1, zero and negative
 * inputs, a passed deadline, replays and conflicting replays of an idempotency key, and bursts of 2..4 swaps at once
 * on the pool. A model of every account of the try predicts each step exactly, from the quote taken just before it:
 * <ul>
 *   <li>a swap's outcome is the quote's (same amountOut and fee to the base unit, or the same refusal code), else
 *       SLIPPAGE_EXCEEDED when minAmountOut exceeds the quote, else INSUFFICIENT_BALANCE when the user lacks
 *       amountIn;</li>
 *   <li>after every step, every ledger account of the try (users and reserves) equals the model: a swap moved
 *       exactly amountIn user → reserve and amountOut reserve → user, a refused one moved nothing;</li>
 *   <li>k = reserveBase × reserveQuote never decreases and no reserve reaches zero, even after a swap of 10^6× the
 *       reserve;</li>
 *   <li>concurrent swaps: the successful ones are serializable (an order exists in which each one's output is the
 *       swap math on the reserves the previous one left, and its reserves-after are those), the sum of their
 *       inputs and outputs is the reserves' change, k did not fall, and nothing refused moved.</li>
 * </ul>
 * After each try: the swap rows of the pool sum to the reserves' change from the seed, the listed pool shows the
 * ledger's reserves, and the audit (minted = balances + burned, balances = journal) is ok for the pool's tokens.
 */
class MarketStoreProperties {

    /** FLOCK minted to the bridge float of the scratch ledger: enough for every pool and user of the run. */
    static final BigInteger FLOCK_FLOAT = BigInteger.TEN.pow(37);
    static final BigInteger HUGE_CAP = BigInteger.TEN.pow(36);
    static final AccountKey BRIDGE = AccountKey.protocol("FLOCK", AccountKind.BRIDGE);
    static final AccountKey USDC_ISSUER = AccountKey.protocol("USDC", AccountKind.ISSUER);
    static final Set<String> REFUSALS = Set.of("SLIPPAGE_EXCEEDED", "ZERO_OUTPUT", "PRICE_IMPACT_TOO_HIGH",
            "INSUFFICIENT_BALANCE");
    static final int USERS = 4;

    static Pool pool;
    static LedgerService ledger;
    static AuditService audit;
    static final AtomicInteger tries = new AtomicInteger();

    static ScratchLedger scratch;

    @BeforeContainer
    static void startLedger() {
        scratch = ScratchLedger.start("market_prop", 8, true, ScratchLedger.config(30, 10_000));
        pool = scratch.pool;
        ledger = scratch.ledger;
        audit = scratch.audit;
        ledger.tokens(Set.of("FLOCK", "USDC")).await().indefinitely();
        ledger.internalBatch("ledger:test:flock-float", List.of(new MintSupply("ledger:test:flock-float:mint", BRIDGE,
                FLOCK_FLOAT, "test"))).await().indefinitely();
    }

    @AfterContainer
    static void stopLedger() {
        if (scratch != null) {
            scratch.close();
        }
    }
    // ---------------------------------------------------------------- generated cases

    /**
     * A pool: kind 0 = MT/FLOCK (registered from DeploymentLive), 1 = FLOCK/USDC; its seed in base units; its fee
     * and the service's swap-impact bound (10000 = unbounded, the default).
     */
    record PoolCase(int kind, BigInteger baseSeed, BigInteger quoteSeed, int feeBps, int maxImpactBps) {
    }

    /**
     * One step; its numbers are interpreted against the try's state: {@code kind} picks what happens, {@code user}
     * who, {@code baseIn} the direction, {@code mantissa} × 10^{@code scale} / 1000 the size relative to the input
     * reserve, {@code pick} the variants.
     */
    record Step(int kind, int user, boolean baseIn, int scale, int mantissa, int pick) {
    }

    static Arbitrary<BigInteger> reserve(BigInteger cap) {
        return Arbitraries.oneOf(
                Arbitraries.bigIntegers().between(BigInteger.ONE, BigInteger.valueOf(1000)),
                Arbitraries.bigIntegers().between(BigInteger.valueOf(1000), BigInteger.TEN.pow(9)),
                Arbitraries.bigIntegers().between(BigInteger.TEN.pow(9), BigInteger.TEN.pow(18).min(cap)),
                Arbitraries.bigIntegers().between(BigInteger.TEN.pow(18).min(cap), cap));
    }

    @Provide
    Arbitrary<PoolCase> pools() {
        Arbitrary<Integer> fee = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, Arbitraries.just(30)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(0)),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(1, 1000)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(1000, 9999)));
        Arbitrary<Integer> impact = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.just(10_000)),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(1, 9999)));
        // MT: at most half the model token's fixed supply in the pool (the rest funds the users).
        BigInteger mtCap = LedgerRules.MODEL_TOKEN_SUPPLY.divide(BigInteger.TWO);
        BigInteger flockCap = BigInteger.TEN.pow(28);
        BigInteger usdcCap = BigInteger.TEN.pow(20);
        return Arbitraries.integers().between(0, 1).flatMap(kind -> Combinators.combine(
                reserve(kind == 0 ? mtCap : flockCap), reserve(kind == 0 ? flockCap : usdcCap), fee, impact)
                .as((base, quote, f, i) -> new PoolCase(kind, base, quote, f, i)));
    }

    @Provide
    Arbitrary<Step> steps() {
        return Combinators.combine(
                Arbitraries.integers().between(0, 15),
                Arbitraries.integers().between(0, USERS - 1),
                Arbitraries.of(true, false),
                Arbitraries.integers().between(-18, 2),
                Arbitraries.integers().between(1, 999),
                Arbitraries.integers().between(0, 9999)).as(Step::new);
    }

    @Property(tries = 200, shrinking = ShrinkingMode.BOUNDED)
    void quoteEqualsSwapAndKNeverFallsThroughPostgres(@ForAll("pools") PoolCase poolCase,
            @ForAll @Size(min = 20, max = 30) List<@From("steps") Step> steps) {
        PoolTry market = new PoolTry(tries.incrementAndGet(), poolCase);
        for (Step step : steps) {
            market.step(step);
        }
        // Every try ends with a burst of four swaps at once, both directions.
        market.concurrent(new Step(13, 0, true, -2, 377, 3 + 4 * 5));
        market.verifyTry();
    }

    /**
     * Found by the property: a pool of 1 FLOCK base unit against 10^9 USDC units has a price of 10^21 USDC per FLOCK,
     * beyond an amount's 39 digits; its quote answered 400 INVALID_AMOUNT while the swap went through.
     */
    @Example
    void aPoolPricedBeyondAnAmountStillQuotesWhatItSwaps() {
        PoolTry t = new PoolTry(tries.incrementAndGet(),
                new PoolCase(1, BigInteger.ONE, BigInteger.TEN.pow(9), 30, 10_000));
        assertThat(t.quote("FLOCK", BigInteger.ONE).code()).isNull();
        assertThat(t.quote("USDC", BigInteger.ONE).code()).isEqualTo("ZERO_OUTPUT");
        t.swap(2, "FLOCK", BigInteger.ONE, PoolTry.MinOut.QUOTE);
        t.swap(0, "USDC", BigInteger.TEN.pow(12), PoolTry.MinOut.QUOTE);
        assertThat(t.applied).hasSize(2);
        t.verifyTry();
    }

    // ---------------------------------------------------------------- one try

    /** The outcome of a call: its refusal code (a ProblemException's, or the exception's class), or its result. */
    record Outcome<T>(String code, T result) {
        boolean ok() {
            return code == null;
        }
    }

    static <T> Uni<Outcome<T>> outcome(Uni<T> call) {
        return call.map(r -> new Outcome<>(null, r)).onFailure().recoverWithItem(e -> new Outcome<>(code(e), null));
    }

    static String code(Throwable e) {
        if (e instanceof ProblemException p) {
            return p.code();
        }
        if (e instanceof InvalidAmountException i) {
            return i.code();
        }
        return e.getClass().getSimpleName();
    }

    static <T> Outcome<T> await(Uni<T> call) {
        return outcome(call).await().atMost(Duration.ofMinutes(1));
    }

    /** A quote in base units, parsed back from the REST answer. */
    record Quoted(BigInteger amountOut, BigInteger fee) {
    }

    /** A swap that was applied, with the order that applied it (for replays). */
    record Applied(SwapOrder order, SwapDone done) {
    }

    static final class PoolTry {
        final String ns;
        final PoolCase c;
        final MarketService markets = new MarketService();
        final MarketResource resource = new MarketResource();
        final PoolRegistry registry = new PoolRegistry();
        final String poolId;
        final String base;
        final String quote;
        final AccountKey baseReserve;
        final AccountKey quoteReserve;
        final List<String> users = new ArrayList<>();
        /** What every account of the try must hold (the users' two accounts and the pool's two reserves). */
        final Map<AccountKey, BigInteger> model = new HashMap<>();
        final List<Applied> applied = new ArrayList<>();
        final Map<String, LedgerToken> tokens;
        PoolSnapshot snapshot;
        BigInteger k;
        int keys;

        PoolTry(int number, PoolCase c) {
            this.ns = "m" + number;
            this.c = c;
            TreasuryConfig config = ScratchLedger.config(c.feeBps(), c.maxImpactBps());
            MarketStore store = new MarketStore();
            store.db = scratch.db;
            markets.store = store;
            markets.ledger = ledger;
            markets.config = config;
            resource.markets = markets;
            resource.ledger = ledger;
            resource.config = config;
            registry.db = scratch.db;
            registry.store = store;
            registry.ledger = ledger;
            registry.config = config;
            // A model pool's LP token and seed shares are minted in its registration (issue #21).
            registry.liquidity = new LiquidityService();
            registry.liquidity.ledger = ledger;
            registry.liquidity.store = store;
            registry.liquidity.db = scratch.db;
            for (int i = 0; i < USERS; i++) {
                users.add(ns + "-u" + i);
            }
            if (c.kind() == 0) {
                base = "Q" + Integer.toString(number, 36).toUpperCase();
                quote = "FLOCK";
                poolId = DeploymentLive.poolIdOf(base);
            } else {
                base = "FLOCK";
                quote = "USDC";
                poolId = ns.toUpperCase() + "-USDC";
            }
            baseReserve = new AccountKey(poolId, base, AccountKind.POOL_RESERVE);
            quoteReserve = new AccountKey(poolId, quote, AccountKind.POOL_RESERVE);
            if (c.kind() == 0) {
                launchModelPool();
            } else {
                seedUsdcPool();
            }
            tokens = ledger.tokens(Set.of(base, quote)).await().indefinitely();
            snapshot = markets.pool(poolId).await().indefinitely().pool();
            assertThat(snapshot.feeBps()).isEqualTo(c.feeBps());
            assertThat(snapshot.baseToken()).isEqualTo(base);
            k = c.baseSeed().multiply(c.quoteSeed());
            verify("the seed");
        }

        AccountKey user(int i, String token) {
            return new AccountKey(users.get(i), token, AccountKind.USER);
        }

        /** Rich, modest, poor and modest users: what user {@code i} gets of a token whose pool seed is {@code seed}. */
        static BigInteger funding(int i, BigInteger seed) {
            return switch (i) {
                case 0 -> seed.multiply(BigInteger.valueOf(1000));
                case 1 -> seed.divide(BigInteger.TEN).add(BigInteger.ONE);
                case 2 -> BigInteger.valueOf(1000);
                default -> seed.multiply(BigInteger.valueOf(3));
            };
        }

        void credit(AccountKey key, BigInteger amount) {
            model.merge(key, amount, BigInteger::add);
        }

        BigInteger balance(AccountKey key) {
            return model.getOrDefault(key, BigInteger.ZERO);
        }

        /** As rmo's launch batch does it, then DeploymentLive through the real registry. */
        void launchModelPool() {
            String deploymentId = "dep-" + ns;
            AccountKey escrow = new AccountKey("off-" + deploymentId, base, AccountKind.OFFERING_ESCROW);
            String id = "ledger:test-launch:" + ns;
            List<Operation> ops = new ArrayList<>(List.of(new RegisterModelToken(base, deploymentId),
                    new MintSupply(id + ":mint", escrow, LedgerRules.MODEL_TOKEN_SUPPLY, "test"),
                    new Transfer(id + ":mt", escrow, baseReserve, c.baseSeed(), "LAUNCH", "test"),
                    new Transfer(id + ":flock", BRIDGE, quoteReserve, c.quoteSeed(), "LAUNCH", "test")));
            BigInteger left = LedgerRules.MODEL_TOKEN_SUPPLY.subtract(c.baseSeed());
            for (int i = 0; i < USERS; i++) {
                BigInteger mt = funding(i, c.baseSeed()).min(left.divide(BigInteger.TWO));
                left = left.subtract(mt);
                ops.add(new Transfer(id + ":mt" + i, escrow, user(i, base), mt, "TEST", "test"));
                ops.add(new Transfer(id + ":flock" + i, BRIDGE, user(i, quote), funding(i, c.quoteSeed()), "TEST",
                        "test"));
                credit(user(i, base), mt);
                credit(user(i, quote), funding(i, c.quoteSeed()));
            }
            ledger.internalBatch(id, ops).await().indefinitely();
            credit(baseReserve, c.baseSeed());
            credit(quoteReserve, c.quoteSeed());
            Instant liveAt = Instant.now().minusSeconds(60 + c.baseSeed().mod(BigInteger.valueOf(7200)).longValue());
            DeploymentLive live = new DeploymentLive(deploymentId, base, ns + "-owner", "model-" + base, "0.5", "1.5",
                    "0.2", "0.6", liveAt, poolId, "off-" + deploymentId, null);
            scratch.db.transaction(tx -> registry.insert(tx, "DeploymentLive:" + deploymentId, live)).await()
                    .indefinitely();
        }

        /** As MarketGenesis seeds the genesis pool: one planned execution with the seed and the pool row. */
        void seedUsdcPool() {
            String id = "ledger:test-seed:" + ns;
            Instant now = LedgerService.now();
            List<Operation> seed = List.of(new Transfer(id + ":flock", BRIDGE, baseReserve, c.baseSeed(), "POOL_SEED",
                    poolId), new Transfer(id + ":usdc", USDC_ISSUER, quoteReserve, c.quoteSeed(), "POOL_SEED", poolId));
            ledger.store().executePlanned(new Planned(id, Operation.hash(List.of("POOL_SEED", poolId)),
                    new TreeSet<>(List.of(BRIDGE, USDC_ISSUER, baseReserve, quoteReserve)), List.of(),
                    ledger.tokens(Set.of(base, quote)).await().indefinitely(), now,
                    (accounts, reads) -> new Plan(seed, MarketStore.insertPool(poolId, base, quote, null, c.feeBps(),
                            LedgerRules.PROTOCOL, c.baseSeed().multiply(c.quoteSeed()).sqrt(), null,
                            now.minusSeconds(60)), null)))
                    .await().indefinitely();
            credit(baseReserve, c.baseSeed());
            credit(quoteReserve, c.quoteSeed());
            List<Operation> funds = new ArrayList<>();
            for (int i = 0; i < USERS; i++) {
                funds.add(new Transfer(id + ":flock" + i, BRIDGE, user(i, base), funding(i, c.baseSeed()), "TEST",
                        "test"));
                funds.add(new Transfer(id + ":usdc" + i, USDC_ISSUER, user(i, quote), funding(i, c.quoteSeed()), "TEST",
                        "test"));
                credit(user(i, base), funding(i, c.baseSeed()));
                credit(user(i, quote), funding(i, c.quoteSeed()));
            }
            ledger.internalBatch(id + ":funds", funds).await().indefinitely();
        }

        // ------------------------------------------------------------ steps

        String tokenIn(boolean baseIn) {
            return baseIn ? base : quote;
        }

        AccountKey reserve(String token) {
            return token.equals(base) ? baseReserve : quoteReserve;
        }

        /** {@code reserve × mantissa × 10^scale / 1000}, at least 1. */
        static BigInteger relative(BigInteger reserve, int mantissa, int scale) {
            BigInteger v = reserve.multiply(BigInteger.valueOf(mantissa));
            v = scale >= 0 ? v.multiply(BigInteger.TEN.pow(scale)) : v.divide(BigInteger.TEN.pow(-scale));
            return v.divide(BigInteger.valueOf(1000)).max(BigInteger.ONE).min(HUGE_CAP);
        }

        void step(Step s) {
            String in = tokenIn(s.baseIn());
            BigInteger reserveIn = balance(reserve(in));
            switch (s.kind()) {
                case 7 -> swap(s.user(), in, relative(reserveIn, s.mantissa(), s.scale()), MinOut.QUOTE_PLUS_ONE);
                case 8 -> swap(s.user(), in, BigInteger.valueOf(1 + s.pick() % 9), MinOut.of(s.pick()));
                case 9 -> {
                    BigInteger held = balance(user(s.user(), in));
                    BigInteger amount = switch (s.pick() % 3) {
                        case 0 -> held.add(BigInteger.ONE).add(BigInteger.valueOf(s.mantissa()));
                        case 1 -> held.max(BigInteger.ONE);
                        default -> relative(reserveIn, s.mantissa(), 3 + s.pick() % 4 + 3);
                    };
                    swap(s.user(), in, amount.min(HUGE_CAP), MinOut.of(s.pick() / 3));
                }
                case 10 -> zeroOrNegative(s.user(), in, s.pick());
                case 11 -> deadlinePassed(s.user(), in, relative(reserveIn, s.mantissa(), s.scale()));
                case 12 -> replay(s.pick());
                case 13, 14 -> concurrent(s);
                default -> swap(s.user(), in, relative(reserveIn, s.mantissa(), s.scale()), MinOut.of(s.pick()));
            }
        }

        enum MinOut {
            QUOTE, QUOTE_MINUS_ONE, ZERO, QUOTE_PLUS_ONE;

            static MinOut of(int pick) {
                return switch (pick % 7) {
                    case 0, 1, 2 -> QUOTE;
                    case 3 -> QUOTE_MINUS_ONE;
                    case 4, 5 -> ZERO;
                    default -> QUOTE_PLUS_ONE;
                };
            }

            BigInteger from(Outcome<Quoted> q) {
                BigInteger quoted = q.ok() ? q.result().amountOut() : BigInteger.ONE;
                return switch (this) {
                    case QUOTE -> quoted;
                    case QUOTE_MINUS_ONE -> quoted.subtract(BigInteger.ONE).max(BigInteger.ZERO);
                    case ZERO -> BigInteger.ZERO;
                    case QUOTE_PLUS_ONE -> quoted.add(BigInteger.ONE);
                };
            }
        }

        String text(String token, BigInteger units) {
            String t = Amount.ofUnits(tokens.get(token).money(), units.abs()).toDecimalString();
            return units.signum() < 0 ? "-" + t : t;
        }

        /** The REST quote (GET /api/v1/markets/{poolId}/quote), parsed back to base units. */
        Outcome<Quoted> quote(String in, BigInteger amount) {
            String out = snapshot.other(in);
            Outcome<Quote> q = await(resource.quote(poolId, in, text(in, amount)));
            if (!q.ok()) {
                return new Outcome<>(q.code(), null);
            }
            assertThat(q.result().tokenOut()).isEqualTo(out);
            assertThat(q.result().amountIn()).isEqualTo(text(in, amount));
            return new Outcome<>(null, new Quoted(Amount.parse(tokens.get(out).money(), q.result().amountOut()).units(),
                    Amount.parse(tokens.get(in).money(), q.result().fee()).units()));
        }

        SwapOrder order(int user, String in, BigInteger amount, BigInteger minOut, Instant deadline) {
            return new SwapOrder(users.get(user), ns + "-k" + (keys++), poolId, in, amount, minOut, deadline);
        }

        Uni<SwapDone> call(SwapOrder order) {
            // MarketService.swap refuses a passed deadline before it returns its Uni: defer it.
            return Uni.createFrom().deferred(() -> markets.swap(order, snapshot));
        }

        /** A swap whose outcome the quote taken just before it predicts exactly. */
        void swap(int user, String in, BigInteger amount, MinOut mode) {
            Outcome<Quoted> q = quote(in, amount);
            BigInteger minOut = mode.from(q);
            String expected = q.ok() ? null : q.code();
            if (expected == null && minOut.compareTo(q.result().amountOut()) > 0) {
                expected = "SLIPPAGE_EXCEEDED";
            }
            if (expected == null && balance(user(user, in)).compareTo(amount) < 0) {
                expected = "INSUFFICIENT_BALANCE";
            }
            SwapOrder order = order(user, in, amount, minOut, null);
            Outcome<SwapDone> o = await(call(order));
            String what = "swap of " + amount + " " + in + " (minOut " + minOut + ") by " + order.userId()
                    + " on reserves " + reserves() + ", quoted " + q;
            assertThat(o.code()).as("outcome of the %s", what).isEqualTo(expected);
            Statistics.label("swap").collect(o.ok() ? "EXECUTED" : o.code());
            if (o.ok()) {
                SwapDone d = o.result();
                assertThat(d.amountOut()).as("amountOut of the %s", what).isEqualTo(q.result().amountOut());
                assertThat(d.fee()).as("fee of the %s", what).isEqualTo(q.result().fee());
                assertThat(d.amountIn()).isEqualTo(amount);
                apply(d);
                assertThat(d.reserveInAfter()).isEqualTo(balance(reserve(in)));
                assertThat(d.reserveOutAfter()).isEqualTo(balance(reserve(d.tokenOut())));
                applied.add(new Applied(order, d));
            }
            verify(what);
        }

        void apply(SwapDone d) {
            credit(user(users.indexOf(d.userId()), d.tokenIn()), d.amountIn().negate());
            credit(reserve(d.tokenIn()), d.amountIn());
            credit(reserve(d.tokenOut()), d.amountOut().negate());
            credit(user(users.indexOf(d.userId()), d.tokenOut()), d.amountOut());
        }

        /** Zero and negative inputs: the REST quote refuses them (400), the service never moves anything. */
        void zeroOrNegative(int user, String in, int pick) {
            BigInteger negative = BigInteger.valueOf(-1 - pick);
            assertThat(quote(in, BigInteger.ZERO).code()).isEqualTo(InvalidAmountException.CODE);
            assertThat(quote(in, negative).code()).isEqualTo(InvalidAmountException.CODE);
            assertThat(await(call(order(user, in, BigInteger.ZERO, BigInteger.ZERO, null))).code())
                    .as("a swap of zero").isEqualTo("ZERO_OUTPUT");
            assertThat(await(call(order(user, in, negative, BigInteger.ZERO, null))).ok()).as("a negative swap")
                    .isFalse();
            verify("zero and negative swaps");
        }

        void deadlinePassed(int user, String in, BigInteger amount) {
            Outcome<SwapDone> o = await(call(order(user, in, amount, BigInteger.ZERO, Instant.now().minusSeconds(1))));
            assertThat(o.code()).isEqualTo("DEADLINE_EXCEEDED");
            verify("a swap past its deadline");
        }

        /** The same order again replays the first swap (nothing moves); other content under its key conflicts. */
        void replay(int pick) {
            if (applied.isEmpty()) {
                return;
            }
            Applied a = applied.get(pick % applied.size());
            Outcome<SwapDone> again = await(call(a.order()));
            assertThat(again.code()).isNull();
            assertThat(again.result()).as("a replay of %s", a.order()).isEqualTo(a.done());
            SwapOrder o = a.order();
            Outcome<SwapDone> other = await(call(new SwapOrder(o.userId(), o.idempotencyKey(), o.poolId(), o.tokenIn(),
                    o.amountIn().add(BigInteger.ONE), o.minAmountOut(), o.deadline())));
            assertThat(other.code()).isEqualTo("IDEMPOTENCY_CONFLICT");
            verify("replays of " + o);
        }

        /** 2..4 swaps at once on the pool, by different users, both directions, sized from the same reserves. */
        void concurrent(Step s) {
            int n = 2 + s.pick() % 3;
            BigInteger baseBefore = balance(baseReserve);
            BigInteger quoteBefore = balance(quoteReserve);
            List<SwapOrder> orders = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int user = (s.user() + i) % USERS;
                boolean baseIn = s.baseIn() ^ ((s.pick() >> i) & 1) == 1;
                String in = tokenIn(baseIn);
                BigInteger amount = relative(balance(reserve(in)), s.mantissa() + 97 * i,
                        Math.min(s.scale() + i % 2, 1));
                // Half of them guard with the quote taken before the burst: the others may move the price below it.
                BigInteger minOut = BigInteger.ZERO;
                if (((s.pick() >> (i + 4)) & 1) == 0) {
                    Outcome<Quoted> q = quote(in, amount);
                    minOut = q.ok() ? q.result().amountOut() : BigInteger.ZERO;
                }
                orders.add(order(user, in, amount, minOut, null));
            }
            List<Uni<Outcome<SwapDone>>> calls = new ArrayList<>();
            for (SwapOrder order : orders) {
                calls.add(outcome(call(order)));
            }
            List<Outcome<SwapDone>> outcomes = Uni.join().all(calls).andFailFast().await()
                    .atMost(Duration.ofMinutes(1));
            List<SwapDone> done = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Outcome<SwapDone> o = outcomes.get(i);
                SwapOrder order = orders.get(i);
                AccountKey payer = new AccountKey(order.userId(), order.tokenIn(), AccountKind.USER);
                Statistics.label("swap in a burst").collect(o.ok() ? "EXECUTED" : o.code());
                if (o.ok()) {
                    assertThat(order.amountIn()).as("%s succeeded", order).isLessThanOrEqualTo(balance(payer));
                    assertThat(o.result().amountOut()).isGreaterThanOrEqualTo(order.minAmountOut()).isPositive();
                    done.add(o.result());
                    applied.add(new Applied(order, o.result()));
                } else {
                    assertThat(o.code()).as("refusal of %s in a burst", order).isIn(REFUSALS);
                }
            }
            Statistics.label("burst").collect(n + " at once, " + done.size() + " executed");
            assertThat(serializable(baseBefore, quoteBefore, done, new boolean[done.size()], 0))
                    .as("the burst's swaps %s from reserves %s/%s in some serial order", done, baseBefore, quoteBefore)
                    .isTrue();
            done.forEach(this::apply);
            verify("a burst of " + n + " swaps: " + outcomes);
        }

        /**
         * Whether the applied swaps have a serial order from the given reserves in which each one's output is the
         * swap math (the service's {@link MarketService#compute}) on the reserves the previous one left, and its
         * reserves-after are what it reported.
         */
        boolean serializable(BigInteger baseR, BigInteger quoteR, List<SwapDone> done, boolean[] used, int depth) {
            if (depth == done.size()) {
                return true;
            }
            for (int i = 0; i < done.size(); i++) {
                if (used[i]) {
                    continue;
                }
                SwapDone d = done.get(i);
                boolean baseIn = d.tokenIn().equals(base);
                BigInteger x = baseIn ? baseR : quoteR;
                BigInteger y = baseIn ? quoteR : baseR;
                BigInteger out;
                try {
                    out = markets.compute(x, y, d.amountIn(), c.feeBps()).amountOut();
                } catch (ProblemException e) {
                    continue;
                }
                if (!out.equals(d.amountOut()) || !d.reserveInAfter().equals(x.add(d.amountIn()))
                        || !d.reserveOutAfter().equals(y.subtract(out))) {
                    continue;
                }
                used[i] = true;
                BigInteger nextBase = baseIn ? d.reserveInAfter() : d.reserveOutAfter();
                BigInteger nextQuote = baseIn ? d.reserveOutAfter() : d.reserveInAfter();
                if (serializable(nextBase, nextQuote, done, used, depth + 1)) {
                    return true;
                }
                used[i] = false;
            }
            return false;
        }

        // ------------------------------------------------------------ checks

        String reserves() {
            return balance(baseReserve) + " " + base + " / " + balance(quoteReserve) + " " + quote;
        }

        /** Every account of the try equals the model; reserves stay positive; k did not fall. */
        void verify(String after) {
            List<String> owners = new ArrayList<>(users);
            owners.add(poolId);
            Map<AccountKey, BigInteger> db = new HashMap<>();
            pool.preparedQuery("""
                    SELECT owner, token, kind, credits_posted - debits_posted AS balance, debits_pending AS held
                    FROM ledger_account WHERE owner = ANY($1)""")
                    .execute(Tuple.of(owners.toArray(String[]::new))).await().indefinitely()
                    .forEach(row -> {
                        AccountKey key = new AccountKey(row.getString("owner"), row.getString("token"),
                                AccountKind.valueOf(row.getString("kind")));
                        assertThat(FixtureRows.units(row, "held")).as("held on %s", key).isZero();
                        db.put(key, FixtureRows.units(row, "balance"));
                    });
            Map<AccountKey, BigInteger> expected = new HashMap<>(model);
            expected.values().removeIf(v -> v.signum() == 0);
            db.values().removeIf(v -> v.signum() == 0);
            assertThat(db).as("the try's ledger accounts after %s", after).isEqualTo(expected);
            BigInteger x = balance(baseReserve);
            BigInteger y = balance(quoteReserve);
            assertThat(x.signum()).as("base reserve after %s", after).isPositive();
            assertThat(y.signum()).as("quote reserve after %s", after).isPositive();
            BigInteger kNow = x.multiply(y);
            assertThat(kNow).as("k after %s", after).isGreaterThanOrEqualTo(k);
            k = kNow;
        }

        /** The swap rows sum to the reserves' change; the listed pool shows the ledger's reserves; the audit is ok. */
        void verifyTry() {
            BigInteger baseIn = BigInteger.ZERO;
            BigInteger quoteIn = BigInteger.ZERO;
            long rows = 0;
            for (Row r : pool.preparedQuery("""
                    SELECT token_in, count(*) AS n, SUM(amount_in) AS amount_in, SUM(amount_out) AS amount_out
                    FROM market_swap WHERE pool_id = $1 GROUP BY token_in""").execute(Tuple.of(poolId))
                    .await().indefinitely()) {
                rows += r.getLong("n");
                BigInteger net = FixtureRows.units(r, "amount_in");
                BigInteger out = FixtureRows.units(r, "amount_out");
                if (r.getString("token_in").equals(base)) {
                    baseIn = baseIn.add(net);
                    quoteIn = quoteIn.subtract(out);
                } else {
                    quoteIn = quoteIn.add(net);
                    baseIn = baseIn.subtract(out);
                }
            }
            assertThat(rows).as("swap rows of %s", poolId).isEqualTo(applied.size());
            assertThat(c.baseSeed().add(baseIn)).as("base seed + Σ swaps").isEqualTo(balance(baseReserve));
            assertThat(c.quoteSeed().add(quoteIn)).as("quote seed + Σ swaps").isEqualTo(balance(quoteReserve));
            PoolView view = markets.pool(poolId).await().indefinitely();
            assertThat(view.baseReserve()).isEqualTo(balance(baseReserve));
            assertThat(view.quoteReserve()).isEqualTo(balance(quoteReserve));
            AuditReport report = audit.audit(c.kind() == 0 ? List.of(base) : List.of(base, quote)).await()
                    .indefinitely();
            assertThat(report.ok()).as("audit %s", report).isTrue();
        }
    }
}
