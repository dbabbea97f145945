package io.fomo.treasury.split;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

import io.fomo.shared.events.types.DeploymentLive;
import io.fomo.shared.events.types.WindowSettled;
import io.fomo.treasury.ScratchLedger;
import io.fomo.treasury.TreasuryConfig;
import io.fomo.treasury.audit.AuditReport;
import io.fomo.treasury.ledger.LedgerService;
import io.fomo.treasury.ledger.model.AccountKey;
import io.fomo.treasury.ledger.model.AccountKind;
import io.fomo.treasury.ledger.model.AccountState;
import io.fomo.treasury.ledger.model.LedgerRules;
import io.fomo.treasury.ledger.model.Operation;
import io.fomo.treasury.ledger.model.Operation.MintSupply;
import io.fomo.treasury.ledger.model.Operation.RegisterModelToken;
import io.fomo.treasury.ledger.model.Operation.Transfer;
import io.fomo.treasury.ledger.store.LedgerStore.Plan;
import io.fomo.treasury.ledger.store.LedgerStore.Planned;
import io.fomo.treasury.market.MarketService;
import io.fomo.treasury.market.MarketStore;
import io.fomo.treasury.market.PoolRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Issue #19: a carry run is spent at most once per (window, deployment) whoever runs it, and conserves value. Through
 * the real code ({@link CarryService#run}, {@link SplitService#apply}, {@link PoolRegistry}) against PostgreSQL, on a
 * scratch database outside Quarkus like {@code MarketStoreProperties} (the collaborators set by hand). Each try: a
 * model launched with random (often thin) pool reserves and registered from its DeploymentLive, a split of random
 * revenue (so its buybacks carry by the impact bound, or not), then 1-3 rounds of 2-6 concurrent runs of the same
 * window's carry, under the default TWAP guard or a lax one. Then:
 * <ul>
 *   <li>at most one run did anything (exactly as many as {@code buyback_carry_run} rows of the window: 0 or 1), at
 *       most one ledger batch of that id, none when nothing was carried;</li>
 *   <li>the run conserves: carried in = spent + carried out per buyback, the carry account holds the carries out, it
 *       fell by what was spent, the genesis pool's USDC rose by it, and the burns rose by what was bought;</li>
 *   <li>the audit (conservation, balances = journal, splits and carry runs add up, every carry account = its latest
 *       recorded carries) is ok.</li>
 * </ul>
 */
class CarryRunProperties {

    static final AccountKey BRIDGE = AccountKey.protocol("FLOCK", AccountKind.BRIDGE);
    static final AccountKey USDC_ISSUER = AccountKey.protocol("USDC", AccountKind.ISSUER);
    static final AccountKey PREPAID = AccountKey.protocol("USDC", AccountKind.PREPAID_CREDITS);
    static final AccountKey GENESIS_USDC = new AccountKey(MarketService.GENESIS_POOL, "USDC", AccountKind.POOL_RESERVE);
    static final BigInteger E18 = BigInteger.TEN.pow(18);

    static ScratchLedger scratch;
    static final AtomicInteger tries = new AtomicInteger();

    @BeforeContainer
    static void start() {
        scratch = ScratchLedger.start("carry_prop", 8, true, ScratchLedger.config());
        LedgerService ledger = scratch.ledger;
        ledger.tokens(Set.of("FLOCK", "USDC")).await().indefinitely();
        ledger.internalBatch("ledger:test:float", List.of(new MintSupply("ledger:test:float:mint", BRIDGE,
                BigInteger.TEN.pow(36), "test"), new Transfer("ledger:test:prepaid", USDC_ISSUER, PREPAID,
                BigInteger.TEN.pow(20), "TEST", "test"))).await().indefinitely();
        // The genesis pool as MarketGenesis seeds it (10,000,000 FLOCK, 5,000,000 USDC), two hours old.
        AccountKey flock = new AccountKey(MarketService.GENESIS_POOL, "FLOCK", AccountKind.POOL_RESERVE);
        BigInteger x = BigInteger.valueOf(10_000_000).multiply(E18);
        BigInteger y = BigInteger.valueOf(5_000_000_000_000L);
        Instant now = LedgerService.now();
        String id = "ledger:test:genesis-pool";
        ledger.store().executePlanned(new Planned(id, Operation.hash(List.of("POOL_SEED")),
                new TreeSet<>(List.of(BRIDGE, USDC_ISSUER, flock, GENESIS_USDC)), List.of(),
                ledger.tokens(Set.of("FLOCK", "USDC")).await().indefinitely(), now,
                (accounts, reads) -> new Plan(List.of(new Transfer(id + ":flock", BRIDGE, flock, x, "POOL_SEED", "g"),
                        new Transfer(id + ":usdc", USDC_ISSUER, GENESIS_USDC, y, "POOL_SEED", "g")),
                        MarketStore.insertPool(MarketService.GENESIS_POOL, "FLOCK", "USDC", null, 30,
                                LedgerRules.PROTOCOL, x.multiply(y).sqrt(), null, now.minusSeconds(7200)), null)))
                .await().indefinitely();
    }

    @AfterContainer
    static void stop() {
        if (scratch != null) {
            scratch.close();
        }
    }

    /** One try: the model's pool seeds (whole tokens), the split's net (USDC units), the runs, the TWAP guard. */
    record Case(long mtSeed, long flockSeed, long net, int rounds, int concurrent, int guardBps) {
    }

    @Provide
    Arbitrary<Case> cases() {
        return Combinators.combine(Arbitraries.longs().between(1, 1_000_000), Arbitraries.longs().between(1, 1_000_000),
                Arbitraries.longs().between(0, 10_000_000_000L), Arbitraries.integers().between(1, 3),
                Arbitraries.integers().between(2, 6), Arbitraries.of(200, 10_000)).as(Case::new);
    }

    @Property(tries = 40, shrinking = ShrinkingMode.BOUNDED)
    void repeatedAndConcurrentRunsOfAWindowSpendAtMostOnceAndConserve(@ForAll("cases") Case c) {
        int n = tries.incrementAndGet();
        TreasuryConfig config = config(c.guardBps());
        SplitStore store = set(new SplitStore(), "db", scratch.db);
        SplitService splits = set(set(set(set(new SplitService(), "store", store), "db", scratch.db), "ledger",
                scratch.ledger), "config", config);
        CarryService carries = set(set(set(set(new CarryService(), "store", store), "splits", splits), "ledger",
                scratch.ledger), "config", config);
        MarketStore markets = set(new MarketStore(), "db", scratch.db);
        // A model pool's LP token and seed shares are minted in its registration (issue #21).
        io.fomo.treasury.market.LiquidityService lp = set(set(set(new io.fomo.treasury.market.LiquidityService(),
                "ledger", scratch.ledger), "store", markets), "db", scratch.db);
        PoolRegistry registry = set(set(set(set(set(set(new PoolRegistry(), "db", scratch.db), "store", markets),
                "ledger", scratch.ledger), "config", config), "registry", new SimpleMeterRegistry()), "liquidity", lp);

        String symbol = "C" + Integer.toString(n, 36).toUpperCase() + "X" + ProcessHandle.current().pid() % 1000;
        String deploymentId = "dep-carry-" + n;
        String poolId = DeploymentLive.poolIdOf(symbol);
        AccountKey escrow = new AccountKey("off-" + deploymentId, symbol, AccountKind.OFFERING_ESCROW);
        String launch = "ledger:test-launch:" + deploymentId;
        scratch.ledger.internalBatch(launch, List.<Operation>of(new RegisterModelToken(symbol, deploymentId),
                new MintSupply(launch + ":mint", escrow, LedgerRules.MODEL_TOKEN_SUPPLY, "test"),
                new Transfer(launch + ":mt", escrow, new AccountKey(poolId, symbol, AccountKind.POOL_RESERVE),
                        BigInteger.valueOf(c.mtSeed()).multiply(E18).min(LedgerRules.MODEL_TOKEN_SUPPLY), "LAUNCH", "t"),
                new Transfer(launch + ":flock", BRIDGE, new AccountKey(poolId, "FLOCK", AccountKind.POOL_RESERVE),
                        BigInteger.valueOf(c.flockSeed()).multiply(E18), "LAUNCH", "t"))).await().indefinitely();
        Instant liveAt = Instant.now().minusSeconds(7200);
        DeploymentLive live = new DeploymentLive(deploymentId, symbol, "owner-" + n, "model", "0.5", "1.5", "0.2",
                "0.6", liveAt, poolId, "off-" + deploymentId, null);
        scratch.db.transaction(tx -> registry.apply(tx, live)).await().indefinitely();

        long window = 1000L * n;
        String net = io.fomo.shared.money.Amount.ofUnits(io.fomo.shared.money.Token.USDC, BigInteger.valueOf(c.net()))
                .toDecimalString();
        splits.apply(new WindowSettled(window, liveAt, liveAt, deploymentId, 1, 1, 1, net, net, "0", net)).await()
                .indefinitely();

        AccountKey carry = new AccountKey(deploymentId, "USDC", AccountKind.BUYBACK_CARRY);
        BigInteger carryBefore = balance(carry);
        BigInteger usdcBefore = balance(GENESIS_USDC);
        BigInteger flockBurnBefore = balance(AccountKey.protocol("FLOCK", AccountKind.BURN));
        BigInteger mtBurnBefore = balance(AccountKey.protocol(symbol, AccountKind.BURN));

        long next = window + 1;
        int ran = 0;
        for (int round = 0; round < c.rounds(); round++) {
            List<Uni<Boolean>> runs = new ArrayList<>();
            for (int i = 0; i < c.concurrent(); i++) {
                runs.add(carries.run(next, deploymentId));
            }
            ran += (int) Uni.join().all(runs).andFailFast().await().atMost(Duration.ofSeconds(60)).stream()
                    .filter(Boolean::booleanValue).count();
        }

        List<Row> rows = rows("SELECT flock_carry_in::text, flock_spent::text, flock_bought::text, flock_carry_out::text,"
                + " mt_carry_in::text, mt_spent::text, mt_bought::text, mt_carry_out::text FROM buyback_carry_run"
                + " WHERE deployment_id = $1", deploymentId);
        assertThat(rows.size()).as("carry runs of the window").isLessThanOrEqualTo(1).isEqualTo(ran);
        assertThat(rows("SELECT 1 FROM ledger_batch WHERE batch_id = $1", CarryService.runId(next, deploymentId)))
                .hasSizeLessThanOrEqualTo(1);
        if (carryBefore.signum() == 0) {
            assertThat(rows).isEmpty();
        }
        BigInteger spent = BigInteger.ZERO;
        BigInteger flockBought = BigInteger.ZERO;
        BigInteger mtBought = BigInteger.ZERO;
        if (!rows.isEmpty()) {
            Row r = rows.get(0);
            BigInteger fIn = big(r, 0);
            BigInteger fSpent = big(r, 1);
            BigInteger fOut = big(r, 3);
            BigInteger mIn = big(r, 4);
            BigInteger mSpent = big(r, 5);
            BigInteger mOut = big(r, 7);
            assertThat(fIn).isEqualTo(fSpent.add(fOut));
            assertThat(mIn).isEqualTo(mSpent.add(mOut));
            assertThat(fIn.add(mIn)).isEqualTo(carryBefore);
            assertThat(balance(carry)).isEqualTo(fOut.add(mOut));
            spent = fSpent.add(mSpent);
            flockBought = big(r, 2);
            mtBought = big(r, 6);
        }
        assertThat(carryBefore.subtract(balance(carry))).isEqualTo(spent);
        assertThat(balance(GENESIS_USDC).subtract(usdcBefore)).isEqualTo(spent);
        assertThat(balance(AccountKey.protocol("FLOCK", AccountKind.BURN)).subtract(flockBurnBefore))
                .isEqualTo(flockBought);
        assertThat(balance(AccountKey.protocol(symbol, AccountKind.BURN)).subtract(mtBurnBefore)).isEqualTo(mtBought);
        AuditReport report = scratch.audit.audit(null).await().indefinitely();
        assertThat(report.ok()).as("audit %s", report).isTrue();
    }

    static BigInteger balance(AccountKey key) {
        AccountState s = scratch.ledger.account(key).await().indefinitely();
        return s == null ? BigInteger.ZERO : s.balance();
    }

    static List<Row> rows(String sql, Object... params) {
        List<Row> out = new ArrayList<>();
        scratch.pool.preparedQuery(sql).execute(Tuple.from(params)).await().indefinitely().forEach(out::add);
        return out;
    }

    static BigInteger big(Row r, int i) {
        return new BigInteger(r.getString(i));
    }

    /** Sets a collaborator the way CDI would (the fields are injection points). */
    static <T> T set(T bean, String field, Object value) {
        try {
            Class<?> type = bean.getClass();
            Field f = null;
            while (f == null && type != null) {
                try {
                    f = type.getDeclaredField(field);
                } catch (NoSuchFieldException e) {
                    type = type.getSuperclass();
                }
            }
            if (f == null) {
                throw new IllegalArgumentException(bean.getClass() + " has no field " + field);
            }
            f.setAccessible(true);
            f.set(bean, value);
            return bean;
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The ledger's test defaults with the split's settings and a TWAP guard of the try's choosing. */
    static TreasuryConfig config(int guardBps) {
        TreasuryConfig base = ScratchLedger.config();
        TreasuryConfig.Market m = base.market();
        return (TreasuryConfig) java.lang.reflect.Proxy.newProxyInstance(TreasuryConfig.class.getClassLoader(),
                new Class<?>[] {TreasuryConfig.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "split" -> split();
                    case "market" -> java.lang.reflect.Proxy.newProxyInstance(TreasuryConfig.class.getClassLoader(),
                            new Class<?>[] {TreasuryConfig.Market.class}, (p2, m2, a2) -> "twapGuardBps".equals(
                                    m2.getName()) ? (Object) guardBps : m2.invoke(m, a2));
                    default -> method.invoke(base, args);
                });
    }

    static TreasuryConfig.Split split() {
        Map<String, Object> values = Map.of("flockBuybackBps", 3000, "mtBuybackBps", 3000, "ownerBps", 1000,
                "treasuryBps", 3000, "settlementWindow", Duration.ofHours(1), "carryDelay", Duration.ofMinutes(1),
                "carryInterval", "30s");
        return (TreasuryConfig.Split) java.lang.reflect.Proxy.newProxyInstance(TreasuryConfig.class.getClassLoader(),
                new Class<?>[] {TreasuryConfig.Split.class}, (p, method, args) -> values.get(method.getName()));
    }
}
