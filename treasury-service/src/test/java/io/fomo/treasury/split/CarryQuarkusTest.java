package io.fomo.treasury.split;

import static io.fomo.testkit.ConsumerRollback.count;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.fomo.shared.events.types.WindowSettled;
import io.fomo.testkit.TestDatabase;
import io.fomo.treasury.market.MarketFixtures;
import io.fomo.treasury.market.MarketFixtures.Model;
import io.fomo.treasury.market.MarketService;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;

/**
 * Issue #19, SPEC §5 "carries the rest to the next window (every window, whether or not the model earned in it)": a
 * carry is spent at a window's end by the carry job although no WindowSettled of that window exists, under the split's
 * bounds, once, whoever runs it; its history shows through {@code GET /api/v1/splits/carries}. ({@code %test} turns
 * the job's own schedule off so it cannot spend other tests' carries; the test runs the job's run as the scheduler
 * does, at the real clock.)
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class CarryQuarkusTest {

    @Inject
    MarketFixtures fx;

    @Inject
    CarryJob job;

    @Inject
    CarryService carries;

    static BigInteger usdc(String v) {
        return MarketFixtures.usdc(v);
    }

    static JsonPath history(String deploymentId) {
        return given().queryParam("deploymentId", deploymentId).get("/api/v1/splits/carries").then().statusCode(200)
                .extract().jsonPath();
    }

    /** A model whose split carried its whole MT buyback (30 USDC) because a whale pumped the price, then sold back. */
    Model carriedThenCalm() {
        Model m = fx.model("100000", "200000", Instant.now().minusSeconds(7200));
        fx.topUp("100");
        String whale = "whale-" + UUID.randomUUID();
        fx.fund(whale, "FLOCK", "10000");
        MarketService markets = io.quarkus.arc.Arc.container().instance(MarketService.class).get();
        var pool = markets.pool(m.poolId()).await().indefinitely().pool();
        var pumped = markets.swap(new MarketService.SwapOrder(whale, "pump", m.poolId(), "FLOCK",
                MarketFixtures.flock("10000"), BigInteger.ZERO, null), pool).await().indefinitely();
        fx.settle(MarketFixtures.settled(m, MarketFixtures.window(), "100", "0", "100"));
        assertThat(fx.carry(m)).isEqualTo(usdc("30"));
        // The whale sells back: the spot is near its TWAP again, so a retry may buy.
        markets.swap(new MarketService.SwapOrder(whale, "dump", m.poolId(), m.symbol(), pumped.amountOut(),
                BigInteger.ZERO, null), pool).await().indefinitely();
        return m;
    }

    @Test
    void aCarryIsSpentInAWindowWithoutRevenue() {
        Model m = carriedThenCalm();
        BigInteger mtBurned = fx.burned(m.symbol());
        Instant now = Instant.now();
        long window = carries.windows().due(now);

        assertThat(job.run(now).await().indefinitely()).isPositive();

        // No WindowSettled of that window: the model earned nothing in it.
        assertThat(count("SELECT count(*) FROM revenue_split WHERE deployment_id = ? AND window_no = ?",
                m.deploymentId(), window)).isZero();
        JsonPath h = history(m.deploymentId());
        assertThat(h.getList("$")).hasSize(2);
        assertThat(h.getString("[0].kind")).isEqualTo("SPLIT");
        assertThat(h.getString("[0].buybacks[1].limit")).isEqualTo("TWAP_GUARD");
        assertThat(h.getString("[1].kind")).isEqualTo("CARRY");
        assertThat(h.getLong("[1].window")).isEqualTo(window);
        assertThat(h.getString("[1].id")).isEqualTo(CarryService.runId(window, m.deploymentId()));
        assertThat(h.getString("[1].buybacks[1].token")).isEqualTo(m.symbol());
        assertThat(h.getString("[1].buybacks[1].carriedIn")).isEqualTo("30");
        assertThat(h.getString("[1].buybacks[1].share")).isEqualTo("0");
        assertThat(h.getString("[1].buybacks[1].limit")).isEqualTo("NONE");
        assertThat(h.getString("[1].buybacks[1].spent")).isEqualTo("30");
        assertThat(h.getString("[1].buybacks[1].carriedOut")).isEqualTo("0");
        BigInteger bought = MarketFixtures.flock(h.getString("[1].buybacks[1].bought"));
        assertThat(bought).isPositive();
        assertThat(fx.burned(m.symbol()).subtract(mtBurned)).isEqualTo(bought);
        assertThat(fx.carry(m)).isZero();
        assertThat(h.getString("[1].carry")).isEqualTo("0");

        // The same window again (a restart, another replica): nothing more.
        job.run(now).await().indefinitely();
        assertThat(carries.run(window, m.deploymentId()).await().indefinitely()).isFalse();
        assertThat(history(m.deploymentId()).getList("$")).hasSize(2);
        assertThat(fx.burned(m.symbol()).subtract(mtBurned)).isEqualTo(bought);
    }

    @Test
    void concurrentRunsOfOneWindowSpendOnce() {
        Model m = carriedThenCalm();
        BigInteger mtBurned = fx.burned(m.symbol());
        long window = carries.windows().due(Instant.now()) + 1_000_000;
        List<Uni<Boolean>> runs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            runs.add(carries.run(window, m.deploymentId()));
        }
        List<Boolean> ran = Uni.join().all(runs).andCollectFailures().await().indefinitely();
        assertThat(ran.stream().filter(Boolean::booleanValue)).hasSize(1);
        assertThat(count("SELECT count(*) FROM buyback_carry_run WHERE deployment_id = ?", m.deploymentId()))
                .isEqualTo(1);
        JsonPath h = history(m.deploymentId());
        BigInteger spent = usdc(h.getString("[1].buybacks[1].spent"));
        assertThat(spent.add(usdc(h.getString("[1].buybacks[1].carriedOut")))).isEqualTo(usdc("30"));
        assertThat(fx.carry(m)).isEqualTo(usdc("30").subtract(spent));
        assertThat(fx.burned(m.symbol()).subtract(mtBurned))
                .isEqualTo(MarketFixtures.flock(h.getString("[1].buybacks[1].bought")));
    }

    @Test
    void aWindowWithASplitHasNoCarryRun() {
        Model m = carriedThenCalm();
        long window = carries.windows().due(Instant.now()) + 2_000_000;
        fx.topUp("10");
        fx.settle(new WindowSettled(window, Instant.now(), Instant.now(), m.deploymentId(), 1, 1, 1, "10", "10", "0",
                "10"));
        assertThat(carries.run(window, m.deploymentId()).await().indefinitely()).isFalse();
        assertThat(count("SELECT count(*) FROM buyback_carry_run WHERE deployment_id = ?", m.deploymentId())).isZero();
    }
}
