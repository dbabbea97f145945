package io.fomo.treasury.market;

import static io.fomo.testkit.ConsumerRollback.count;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.junit.jupiter.api.Test;

import io.fomo.shared.events.types.WindowSettled;
import io.fomo.testkit.TestDatabase;
import io.fomo.treasury.ledger.model.AccountKey;
import io.fomo.treasury.ledger.model.AccountKind;
import io.fomo.treasury.market.MarketFixtures.Model;
import io.fomo.treasury.split.CarryService;
import io.fomo.treasury.split.SplitConsumers;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.inject.Inject;

/**
 * Issue #19: "a DeploymentLive without a pool can never break the treasury". A launch that seeded no pool (nothing in
 * its reserve accounts) goes live: the pool registry records it "live without pool" with the reason (shown by
 * {@code GET /api/v1/markets/deployments}), the event is applied (not retried, not dead-lettered), the model's splits
 * apply with their MT buyback carried (NO_POOL), and the treasury keeps applying other models' splits.
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class PoolLessDeploymentQuarkusTest {

    @Inject
    MarketFixtures fx;

    @Inject
    CarryService carries;

    @Inject
    @Channel("test-raw-out")
    MutinyEmitter<String> raw;

    @Test
    void aDeploymentLiveWithZeroLiquidityIsRecordedWithItsReasonAndSplitsGoOn() {
        Model poolLess = fx.launchWithoutPool();
        Model other = fx.launch("100000", "200000");
        Instant liveAt = Instant.now().minusSeconds(7200);
        String poolLessLive = "DeploymentLive:" + poolLess.deploymentId();
        fx.publish(raw, poolLessLive, fx.live(poolLess, liveAt), 1);
        fx.publish(raw, "DeploymentLive:" + other.deploymentId(), fx.live(other, liveAt), 1);
        await().atMost(Duration.ofSeconds(60)).until(() -> MarketFixtures.inboxRows(PoolRegistry.CONSUMER,
                poolLessLive) == 1 && count("SELECT count(*) FROM market_pool WHERE pool_id = ?", other.poolId()) == 1);

        assertThat(count("SELECT count(*) FROM market_pool WHERE pool_id = ?", poolLess.poolId())).isZero();
        assertThat(count("SELECT count(*) FROM market_deployment WHERE deployment_id = ? AND no_pool_reason LIKE ?",
                poolLess.deploymentId(), "its launch seeded no pool%")).isEqualTo(1);
        List<Map<String, Object>> deployments = given().get("/api/v1/markets/deployments").then().statusCode(200)
                .extract().jsonPath().getList("findAll { it.deploymentId == '" + poolLess.deploymentId() + "' }");
        assertThat(deployments).singleElement().satisfies(d -> {
            assertThat(d.get("pool")).isEqualTo("NONE");
            assertThat((String) d.get("reason")).startsWith("its launch seeded no pool");
            assertThat(d.get("poolId")).isEqualTo(poolLess.poolId());
        });
        given().get("/api/v1/markets/deployments").then().statusCode(200);
        assertThat(given().get("/api/v1/markets/deployments").then().extract().jsonPath()
                .getString("find { it.deploymentId == '" + other.deploymentId() + "' }.pool")).isEqualTo("REGISTERED");

        // Both models earn in a window: both splits apply; the pool-less model's MT buyback carries.
        fx.topUp("40");
        long window = MarketFixtures.window();
        WindowSettled a = MarketFixtures.settled(poolLess, window, "10", "0", "10");
        WindowSettled b = MarketFixtures.settled(other, window, "10", "0", "10");
        String aId = "WindowSettled:" + window + ":" + poolLess.deploymentId();
        String bId = "WindowSettled:" + window + ":" + other.deploymentId();
        fx.publish(raw, aId, a, 1);
        fx.publish(raw, bId, b, 1);
        await().atMost(Duration.ofSeconds(60)).until(() -> MarketFixtures.inboxRows(SplitConsumers.SPLITS, aId) == 1
                && MarketFixtures.inboxRows(SplitConsumers.SPLITS, bId) == 1);

        JsonPath s = given().queryParam("deploymentId", poolLess.deploymentId()).get("/api/v1/splits").then()
                .statusCode(200).extract().jsonPath();
        assertThat(s.getString("[0].mtBuyback.limit")).isEqualTo("NO_POOL");
        assertThat(s.getString("[0].mtBuyback.spent")).isEqualTo("0");
        assertThat(s.getString("[0].mtBuyback.carriedOut")).isEqualTo("3");
        assertThat(s.getString("[0].flockBuyback.limit")).isEqualTo("NONE");
        assertThat(s.getString("[0].flockBuyback.spent")).isEqualTo("3");
        assertThat(fx.carry(poolLess)).isEqualTo(MarketFixtures.usdc("3"));
        assertThat(fx.balance(new AccountKey(poolLess.ownerId(), "USDC", AccountKind.USER)))
                .isEqualTo(MarketFixtures.usdc("1"));
        JsonPath o = given().queryParam("deploymentId", other.deploymentId()).get("/api/v1/splits").then()
                .statusCode(200).extract().jsonPath();
        assertThat(o.getString("[0].mtBuyback.limit")).isEqualTo("NONE");
        assertThat(fx.burned(other.symbol())).isPositive();

        // An MT carry without a pool has nothing to buy: the carry job leaves the model alone.
        long due = carries.windows().due(Instant.now());
        assertThat(carries.due(due).await().indefinitely())
                .noneMatch(d -> d.deploymentId().equals(poolLess.deploymentId()));
    }
}
