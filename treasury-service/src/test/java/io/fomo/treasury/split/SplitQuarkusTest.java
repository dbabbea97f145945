package io.fomo.treasury.split;

import static io.fomo.testkit.ConsumerRollback.count;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.junit.jupiter.api.Test;


import io.fomo.shared.events.AwaitingFact;
import io.fomo.shared.events.types.CreditsToppedUp;
import io.fomo.shared.events.types.WindowSettled;
import io.fomo.testkit.TestDatabase;
import io.fomo.treasury.ledger.model.AccountKey;
import io.fomo.treasury.ledger.model.AccountKind;
import io.fomo.treasury.market.MarketFixtures;
import io.fomo.treasury.market.MarketFixtures.Model;
import io.fomo.treasury.market.MarketService;
import io.fomo.treasury.market.SwapMath;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.inject.Inject;

/**
 * SPEC §5's revenue split against the real ledger: the worked example with its burns, exactly-once under
 * re-delivery through RabbitMQ and after a crash between the ledger's commit and the acknowledgement, the sandwich
 * guard, and carries that are never lost.
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class SplitQuarkusTest {

    @Inject
    MarketFixtures fx;

    @Inject
    SplitService splits;

    static final AccountKey PREPAID = AccountKey.protocol("USDC", AccountKind.PREPAID_CREDITS);
    static final AccountKey PAYABLE = AccountKey.protocol("USDC", AccountKind.COMPUTE_PAYABLE);
    static final AccountKey TREASURY = AccountKey.protocol("USDC", AccountKind.TREASURY);

    @Inject
    @Channel("test-raw-out")
    MutinyEmitter<String> raw;

    static BigInteger usdc(String v) {
        return MarketFixtures.usdc(v);
    }

    static JsonPath splitsOf(String deploymentId) {
        return given().queryParam("deploymentId", deploymentId).get("/api/v1/splits").then().statusCode(200).extract()
                .jsonPath();
    }

    @Test
    void workedExampleSplitsAndBurnsWhatItBought() {
        Model m = fx.model("100000", "200000", Instant.now().minusSeconds(7200));
        fx.topUp("1500");
        BigInteger prepaid = fx.balance(PREPAID);
        BigInteger payable = fx.balance(PAYABLE);
        BigInteger treasury = fx.balance(TREASURY);
        BigInteger flockBurned = fx.burned("FLOCK");
        BigInteger x1 = fx.reserve(MarketService.GENESIS_POOL, "USDC");
        BigInteger y1 = fx.reserve(MarketService.GENESIS_POOL, "FLOCK");
        BigInteger x2 = fx.reserve(m.poolId(), "FLOCK");
        BigInteger y2 = fx.reserve(m.poolId(), m.symbol());

        WindowSettled e = MarketFixtures.settled(m, MarketFixtures.window(), "1200.000007", "200", "1000.000007");
        fx.settle(e);

        JsonPath s = splitsOf(m.deploymentId());
        assertThat(s.getList("$")).hasSize(1);
        assertThat(s.getString("[0].net")).isEqualTo("1000.000007");
        assertThat(s.getString("[0].parts.flockBuyback")).isEqualTo("300.000002");
        assertThat(s.getString("[0].parts.mtBuyback")).isEqualTo("300.000002");
        assertThat(s.getString("[0].parts.owner")).isEqualTo("100");
        assertThat(s.getString("[0].parts.treasury")).isEqualTo("300.000003");
        assertThat(s.getString("[0].carry")).isEqualTo("0");

        // The FLOCK buyback: 300.000002 USDC on FLOCK-USDC at the reserves before, all of it burned.
        BigInteger flockBought = SwapMath.amountOut(x1, y1, usdc("300.000002"), 30);
        // The MT buyback after it: USDC → FLOCK on the moved pool, FLOCK → MT on the model's pool.
        BigInteger routed = SwapMath.amountOut(x1.add(usdc("300.000002")), y1.subtract(flockBought),
                usdc("300.000002"), 30);
        BigInteger mtBought = SwapMath.amountOut(x2, y2, routed, 30);
        assertThat(MarketFixtures.flock(s.getString("[0].flockBuyback.bought"))).isEqualTo(flockBought);
        assertThat(MarketFixtures.flock(s.getString("[0].mtBuyback.bought"))).isEqualTo(mtBought);
        assertThat(fx.burned("FLOCK").subtract(flockBurned)).isEqualTo(flockBought);
        assertThat(fx.burned(m.symbol())).isEqualTo(mtBought);
        assertThat(fx.reserve(m.poolId(), "FLOCK")).isEqualTo(x2.add(routed));

        assertThat(fx.balance(new AccountKey(m.ownerId(), "USDC", AccountKind.USER))).isEqualTo(usdc("100"));
        assertThat(fx.balance(TREASURY).subtract(treasury)).isEqualTo(usdc("300.000003"));
        assertThat(fx.balance(PAYABLE).subtract(payable)).isEqualTo(usdc("200"));
        assertThat(prepaid.subtract(fx.balance(PREPAID))).isEqualTo(usdc("1200.000007"));
        assertThat(fx.balance(new AccountKey(m.deploymentId(), "USDC", AccountKind.BUYBACK_CARRY))).isZero();

        // Applied again (a retry): replayed, nothing moves.
        long rows = count("SELECT count(*) FROM ledger_transfer");
        assertThat(splits.apply(e).await().indefinitely().replayed()).isTrue();
        assertThat(count("SELECT count(*) FROM ledger_transfer")).isEqualTo(rows);
        assertThat(fx.burned(m.symbol())).isEqualTo(mtBought);
    }

    @Test
    void redeliveredThreeTimesThroughRabbitMqSplitsOnce() {
        Model m = fx.launch("100000", "200000");
        // DeploymentLive and the top-up through RabbitMQ too (twice each).
        fx.publish(raw, "DeploymentLive:" + m.deploymentId(), fx.live(m, Instant.now().minusSeconds(7200)), 2);
        String topupId = "topup-" + UUID.randomUUID();
        BigInteger prepaid = fx.balance(PREPAID);
        fx.publish(raw, "CreditsToppedUp:" + topupId, new CreditsToppedUp(topupId, "user-x", "50", "OPERATOR", topupId,
                Instant.now()), 2);
        await().atMost(Duration.ofSeconds(60)).until(() -> count(
                "SELECT count(*) FROM credits_topup WHERE topup_id = ?", topupId) == 1
                && count("SELECT count(*) FROM market_pool WHERE pool_id = ?", m.poolId()) == 1);
        assertThat(count("SELECT count(*) FROM ledger_transfer WHERE id = ?", "topup:" + topupId)).isEqualTo(1);

        WindowSettled e = MarketFixtures.settled(m, MarketFixtures.window(), "10", "2", "8");
        String eventId = "WindowSettled:" + e.window() + ":" + m.deploymentId();
        fx.publish(raw, eventId, e, 3);
        await().atMost(Duration.ofSeconds(60)).until(() -> MarketFixtures.inboxRows(SplitConsumers.SPLITS, eventId) == 1
                && count("SELECT count(*) FROM revenue_split WHERE deployment_id = ?", m.deploymentId()) == 1);
        // Let the other two deliveries be processed, then count: one split, one set of journal rows.
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(10)).until(() -> count(
                "SELECT count(*) FROM revenue_split WHERE deployment_id = ?", m.deploymentId()) == 1);
        assertThat(count("SELECT count(*) FROM ledger_batch WHERE batch_id = ?",
                SplitService.splitId(e.window(), m.deploymentId()))).isEqualTo(1);
        assertThat(fx.balance(PREPAID).subtract(prepaid)).isEqualTo(usdc("40"));
        assertThat(fx.balance(new AccountKey(m.ownerId(), "USDC", AccountKind.USER))).isEqualTo(usdc("0.8"));
    }

    @Test
    void crashAfterTheLedgerBatchBeforeTheAcknowledgementStillSplitsOnce() {
        Model m = fx.model("100000", "200000", Instant.now().minusSeconds(7200));
        fx.topUp("20");
        WindowSettled e = MarketFixtures.settled(m, MarketFixtures.window(), "10", "2", "8");
        // The ledger transaction committed, then the process died before its inbox row and the acknowledgement:
        fx.settle(e);
        BigInteger owner = fx.balance(new AccountKey(m.ownerId(), "USDC", AccountKind.USER));
        BigInteger mtBurned = fx.burned(m.symbol());
        // ... so the broker delivers the event again.
        String eventId = "WindowSettled:" + e.window() + ":" + m.deploymentId();
        fx.publish(raw, eventId, e, 1);
        await().atMost(Duration.ofSeconds(60)).until(() -> MarketFixtures.inboxRows(SplitConsumers.SPLITS, eventId) == 1);
        assertThat(count("SELECT count(*) FROM revenue_split WHERE deployment_id = ?", m.deploymentId()))
                .isEqualTo(1);
        assertThat(fx.balance(new AccountKey(m.ownerId(), "USDC", AccountKind.USER))).isEqualTo(owner)
                .isEqualTo(usdc("0.8"));
        assertThat(fx.burned(m.symbol())).isEqualTo(mtBurned);
    }

    @Test
    void aPumpedPriceIsNotBoughtIntoTheBuybackCarries() {
        Model m = fx.model("100000", "200000", Instant.now().minusSeconds(7200));
        fx.topUp("1000");
        // A swap pushes the MT price (FLOCK per MT) up by more than 10% right before settlement.
        String whale = "whale-" + UUID.randomUUID();
        fx.fund(whale, "FLOCK", "10000");
        BigInteger before = fx.reserve(m.poolId(), "FLOCK").multiply(BigInteger.TEN.pow(18))
                .divide(fx.reserve(m.poolId(), m.symbol()));
        io.quarkus.arc.Arc.container().instance(MarketService.class).get()
                .swap(new MarketService.SwapOrder(whale, "pump", m.poolId(), "FLOCK", MarketFixtures.flock("10000"),
                        BigInteger.ZERO, null), poolSnapshot(m)).await().indefinitely();
        BigInteger after = fx.reserve(m.poolId(), "FLOCK").multiply(BigInteger.TEN.pow(18))
                .divide(fx.reserve(m.poolId(), m.symbol()));
        assertThat(after.multiply(BigInteger.valueOf(100))).isGreaterThan(before.multiply(BigInteger.valueOf(110)));

        BigInteger mtReserve = fx.reserve(m.poolId(), m.symbol());
        WindowSettled e = MarketFixtures.settled(m, MarketFixtures.window(), "100", "0", "100");
        fx.settle(e);
        JsonPath s = splitsOf(m.deploymentId());
        assertThat(s.getString("[0].mtBuyback.limit")).isEqualTo("TWAP_GUARD");
        assertThat(s.getString("[0].mtBuyback.bought")).isEqualTo("0");
        assertThat(s.getString("[0].mtBuyback.carriedOut")).isEqualTo("30");
        assertThat(s.getString("[0].flockBuyback.limit")).isEqualTo("NONE");
        assertThat(fx.reserve(m.poolId(), m.symbol())).isEqualTo(mtReserve);
        assertThat(fx.balance(new AccountKey(m.deploymentId(), "USDC", AccountKind.BUYBACK_CARRY)))
                .isEqualTo(usdc("30"));
    }

    @Test
    void whatTheBoundDoesNotBuyCarriesToTheNextSplit() {
        // A thin pool: 100 FLOCK of liquidity; 2% of it is ~2 FLOCK, far below 300 USDC's worth.
        Model m = fx.model("1000", "100", Instant.now().minusSeconds(7200));
        fx.topUp("2000");
        WindowSettled first = MarketFixtures.settled(m, MarketFixtures.window(), "1000", "0", "1000");
        fx.settle(first);
        JsonPath s = splitsOf(m.deploymentId());
        assertThat(s.getString("[0].mtBuyback.limit")).isEqualTo("IMPACT_BOUND");
        BigInteger spent = usdc(s.getString("[0].mtBuyback.spent"));
        BigInteger carried = usdc(s.getString("[0].mtBuyback.carriedOut"));
        assertThat(spent).isPositive();
        assertThat(spent.add(carried)).isEqualTo(usdc("300"));
        BigInteger routed = MarketFixtures.flock(s.getString("[0].mtBuyback.routedFlock"));
        assertThat(SwapMath.withinImpact(MarketFixtures.flock("100"), routed, 30, 200)).isTrue();
        assertThat(fx.balance(new AccountKey(m.deploymentId(), "USDC", AccountKind.BUYBACK_CARRY))).isEqualTo(carried);

        // The next window (no revenue) picks the carry up: share 0 + carry in = spent + carry out.
        WindowSettled second = MarketFixtures.settled(m, first.window() + 1, "0", "0", "0");
        fx.settle(second);
        JsonPath s2 = splitsOf(m.deploymentId());
        assertThat(s2.getList("$")).hasSize(2);
        assertThat(usdc(s2.getString("[1].mtBuyback.carriedIn"))).isEqualTo(carried);
        assertThat(usdc(s2.getString("[1].mtBuyback.spent")).add(usdc(s2.getString("[1].mtBuyback.carriedOut"))))
                .isEqualTo(carried);
        assertThat(fx.balance(new AccountKey(m.deploymentId(), "USDC", AccountKind.BUYBACK_CARRY)))
                .isEqualTo(usdc(s2.getString("[1].carry")));
    }

    @Test
    void anUnknownDeploymentAwaitsItsDeploymentLiveAndNothingIsWritten() {
        Model ghost = new Model("dep-" + UUID.randomUUID(), "GHOST", "nobody", "GHOST-FLOCK");
        long rows = count("SELECT count(*) FROM ledger_transfer");
        assertThatThrownBy(() -> fx.settle(MarketFixtures.settled(ghost, 1, "1", "0", "1")))
                .isInstanceOfSatisfying(AwaitingFact.class, a -> assertThat(a.fact())
                        .isEqualTo(AwaitingFact.deploymentLive(ghost.deploymentId())))
                .hasMessageContaining("waits for the DeploymentLive");
        assertThat(count("SELECT count(*) FROM ledger_transfer")).isEqualTo(rows);
        given().get("/api/v1/splits").then().statusCode(400);
    }

    private io.fomo.treasury.market.PoolSnapshot poolSnapshot(Model m) {
        return io.quarkus.arc.Arc.container().instance(MarketService.class).get().pool(m.poolId()).await()
                .indefinitely().pool();
    }
}
