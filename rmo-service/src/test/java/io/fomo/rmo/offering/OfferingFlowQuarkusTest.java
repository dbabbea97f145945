package io.fomo.rmo.offering;

import static io.fomo.rmo.support.RmoFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.math.BigInteger;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.fomo.grpc.treasury.v1.AccountKind;
import io.fomo.grpc.treasury.v1.GetTokenRequest;
import io.fomo.rmo.close.CloseService;
import io.fomo.rmo.support.LedgerProbe;
import io.fomo.testkit.ServiceProcessResource;
import io.fomo.testkit.TestDatabase;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;

/** SPEC §3 end to end through the REST API and the real ledger (treasury-service as a process). */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = ServiceProcessResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "service", value = "treasury"))
class OfferingFlowQuarkusTest {

    @Inject
    LedgerProbe ledger;

    @Inject
    Pool pool;

    @Inject
    CloseService closer;

    /**
     * The worked example: P = 0.25, S = 400,000, H = M = 100,000. Bob 60,000, Carol 90,000 → oversubscribed; Bob
     * 160,000 MT for 40,000 (20,000 back), Carol 240,000 MT for 60,000 (30,000 back); R = 100,000: 50,000 + 200,000 MT
     * seed the pool (price 0.25), 30,000 staking incentives, 20,000 protocol costs.
     */
    @Test
    void workedExample() {
        String bob = sub("bob");
        String carol = sub("carol");
        deposit(bob, "100000");
        deposit(carol, "100000");
        BigInteger bob0 = balance(ledger, bob, "FLOCK", AccountKind.ACCOUNT_KIND_USER);
        BigInteger carol0 = balance(ledger, carol, "FLOCK", AccountKind.ACCOUNT_KIND_USER);
        String symbol = symbol();
        String[] ids = openOffering(symbol, "0.25", Map.of());
        String deployment = ids[0];
        String offering = ids[1];
        io.restassured.RestAssured.given().get("/api/v1/offerings/" + offering).then().statusCode(200)
                .body("hardCap", equalTo("100000")).body("softCap", equalTo("100000"))
                .body("saleQuantity", equalTo("400000")).body("supply", equalTo("1000000"));

        contribute("bob", offering, "60000", "bob-1").then().statusCode(201).body("state", equalTo("HELD"));
        contribute("carol", offering, "50000", "carol-1").then().statusCode(201);
        contribute("carol", offering, "40000", "carol-2").then().statusCode(201);
        assertThat(held(ledger, bob, "FLOCK", AccountKind.ACCOUNT_KIND_USER)).isEqualTo(whole(60_000));

        expire(pool, offering);
        close(offering).then().statusCode(200).body("state", equalTo("LIVE")).body("close.mode", equalTo("OVERSUBSCRIBED"))
                .body("close.raised", equalTo("100000")).body("close.sold", equalTo("400000"))
                .body("close.unsold", equalTo("0")).body("totalContributed", equalTo("150000"))
                .body("poolId", equalTo(symbol + "-FLOCK"));

        // Balances and refunds, to the base unit.
        assertThat(balance(ledger, bob, "FLOCK", AccountKind.ACCOUNT_KIND_USER)).isEqualTo(bob0.subtract(whole(40_000)));
        assertThat(held(ledger, bob, "FLOCK", AccountKind.ACCOUNT_KIND_USER)).isZero();
        assertThat(balance(ledger, carol, "FLOCK", AccountKind.ACCOUNT_KIND_USER)).isEqualTo(carol0.subtract(whole(60_000)));
        assertThat(held(ledger, carol, "FLOCK", AccountKind.ACCOUNT_KIND_USER)).isZero();
        assertThat(balance(ledger, bob, symbol, AccountKind.ACCOUNT_KIND_USER)).isEqualTo(whole(160_000));
        assertThat(balance(ledger, carol, symbol, AccountKind.ACCOUNT_KIND_USER)).isEqualTo(whole(240_000));
        // Pool reserves 200,000 MT / 50,000 FLOCK: price 0.25 FLOCK per MT exactly.
        String pool = symbol + "-FLOCK";
        BigInteger poolMt = balance(ledger, pool, symbol, AccountKind.ACCOUNT_KIND_POOL_RESERVE);
        BigInteger poolFlock = balance(ledger, pool, "FLOCK", AccountKind.ACCOUNT_KIND_POOL_RESERVE);
        assertThat(poolMt).isEqualTo(whole(200_000));
        assertThat(poolFlock).isEqualTo(whole(50_000));
        assertThat(poolFlock.multiply(BigInteger.TEN.pow(18)).divide(poolMt)).isEqualTo(units("0.25"));
        assertThat(balance(ledger, deployment, symbol, AccountKind.ACCOUNT_KIND_REWARD_POOL)).isEqualTo(whole(200_000));
        assertThat(balance(ledger, deployment, "FLOCK", AccountKind.ACCOUNT_KIND_REWARD_POOL)).isEqualTo(whole(30_000));
        assertThat(balance(ledger, sub("alice"), symbol, AccountKind.ACCOUNT_KIND_VESTING)).isEqualTo(whole(100_000));
        assertThat(balance(ledger, "protocol", symbol, AccountKind.ACCOUNT_KIND_TREASURY)).isEqualTo(whole(100_000));
        assertThat(balance(ledger, offering, symbol, AccountKind.ACCOUNT_KIND_OFFERING_ESCROW)).isZero();
        assertThat(balance(ledger, offering, "FLOCK", AccountKind.ACCOUNT_KIND_OFFERING_ESCROW)).isZero();
        var token = ledger.blocking().getToken(GetTokenRequest.newBuilder().setSymbol(symbol).build());
        assertThat(token.getMinted()).isEqualTo("1000000");

        io.restassured.RestAssured.given().auth().oauth2(io.fomo.testkit.KeycloakTokens.user("carol"))
                .get("/api/v1/offerings/" + offering + "/contributions/me").then().statusCode(200)
                .body("contributed", equalTo("90000")).body("mt", equalTo("240000")).body("spent", equalTo("60000"))
                .body("refunded", equalTo("30000")).body("contributions.size()", equalTo(2));
        io.restassured.RestAssured.given().get("/api/v1/deployments/" + deployment).then().statusCode(200)
                .body("state", equalTo("LIVE")).body("symbol", equalTo(symbol)).body("poolId", equalTo(pool));

        // DeploymentLive: in the outbox with the same transaction, then published.
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Row row = pool().preparedQuery("SELECT envelope, published_at FROM fomo_outbox WHERE event_id = $1")
                    .execute(Tuple.of("DeploymentLive:" + deployment)).await().indefinitely().iterator().next();
            assertThat(row.getString(0)).contains("\"poolId\":\"" + pool + "\"").contains("\"offeringId\":\"" + offering + "\"")
                    .contains("lpLockedUntil");
            assertThat(row.getValue(1)).isNotNull();
        });

        // A second close changes nothing.
        close(offering).then().statusCode(200).body("state", equalTo("LIVE"));
        assertThat(balance(ledger, bob, symbol, AccountKind.ACCOUNT_KIND_USER)).isEqualTo(whole(160_000));
        Long events = pool().preparedQuery("SELECT count(*) FROM fomo_outbox WHERE event_id = $1")
                .execute(Tuple.of("DeploymentLive:" + deployment)).await().indefinitely().iterator().next().getLong(0);
        assertThat(events).isEqualTo(1L);
    }

    private Pool pool() {
        return pool;
    }

    /** T < M: every pending transfer is voided; each user has exactly their FLOCK back. */
    @Test
    void failedRaiseRefundsExactly() {
        String bob = sub("bob");
        deposit(bob, "1000");
        BigInteger bob0 = balance(ledger, bob, "FLOCK", AccountKind.ACCOUNT_KIND_USER);
        String[] ids = openOffering(symbol(), "0.25", Map.of("softCap", "50000"));
        contribute("bob", ids[1], "123.456789012345678901", "k1").then().statusCode(201);
        contribute("bob", ids[1], "7", "k2").then().statusCode(201);
        assertThat(balance(ledger, bob, "FLOCK", AccountKind.ACCOUNT_KIND_USER)).isEqualTo(bob0);
        expire(pool, ids[1]);
        close(ids[1]).then().statusCode(200).body("state", equalTo("FAILED")).body("close.phase", equalTo("DONE"));
        assertThat(balance(ledger, bob, "FLOCK", AccountKind.ACCOUNT_KIND_USER)).isEqualTo(bob0);
        assertThat(held(ledger, bob, "FLOCK", AccountKind.ACCOUNT_KIND_USER)).isZero();
        assertThat(balance(ledger, ids[1], "FLOCK", AccountKind.ACCOUNT_KIND_OFFERING_ESCROW)).isZero();
        io.restassured.RestAssured.given().get("/api/v1/deployments/" + ids[0]).then().body("state", equalTo("REGISTERED"));
    }

    /** M ≤ T ≤ H: mt_i = floor(c_i × 10^18 / P), spent_i = ceil(mt_i × P / 10^18); unsold MT to the treasury. */
    @Test
    void withinCapsPostsSpentAndSendsUnsoldToTreasury() {
        String dave = sub("dave");
        deposit(dave, "10");
        BigInteger dave0 = balance(ledger, dave, "FLOCK", AccountKind.ACCOUNT_KIND_USER);
        String symbol = symbol();
        // P = 3 FLOCK per MT: 10 FLOCK buys floor(10/3 MT) = 3.333333333333333333 MT for 9.999999999999999999 FLOCK.
        String[] ids = openOffering(symbol, "3", Map.of("softCap", "5"));
        contribute("dave", ids[1], "10", "d1").then().statusCode(201);
        expire(pool, ids[1]);
        close(ids[1]).then().statusCode(200).body("state", equalTo("LIVE")).body("close.mode", equalTo("WITHIN_CAPS"))
                .body("close.sold", equalTo("3.333333333333333333")).body("close.raised", equalTo("9.999999999999999999"))
                .body("close.unsold", equalTo("399996.666666666666666667"));
        assertThat(balance(ledger, dave, symbol, AccountKind.ACCOUNT_KIND_USER)).isEqualTo(units("3.333333333333333333"));
        assertThat(balance(ledger, dave, "FLOCK", AccountKind.ACCOUNT_KIND_USER))
                .isEqualTo(dave0.subtract(units("9.999999999999999999")));
        assertThat(balance(ledger, "protocol", symbol, AccountKind.ACCOUNT_KIND_TREASURY))
                .isEqualTo(whole(100_000).add(units("399996.666666666666666667")));
    }

    /** A crash after every step, then a restart: the same end state as an uninterrupted close. */
    @Test
    void closeResumesAfterACrashAtEveryStep() {
        String bob = sub("bob");
        String carol = sub("carol");
        deposit(bob, "100000");
        deposit(carol, "100000");
        String symbol = symbol();
        String[] ids = openOffering(symbol, "0.25", Map.of());
        String offering = ids[1];
        // 7 contributions in 3-row chunks: SETTLE takes 3 batches; DISTRIBUTE 1.
        for (int i = 0; i < 4; i++) {
            contribute("bob", offering, "15000", "b" + i).then().statusCode(201);
        }
        for (int i = 0; i < 3; i++) {
            contribute("carol", offering, "30000", "c" + i).then().statusCode(201);
        }
        expire(pool, offering);
        String[] points = {"TOTALS", "SETTLE:ledger", "SETTLE", "SETTLE:ledger", "LAUNCH:ledger", "LAUNCH",
            "DISTRIBUTE:ledger", "DISTRIBUTE", "FINISH:before"};
        for (String point : points) {
            closer.crashOnceAt(point);
            int status = close(offering).then().extract().statusCode();
            assertThat(status).as("close interrupted at " + point).isIn(200, 503);
        }
        closer.crashOnceAt("none");
        close(offering).then().statusCode(200).body("state", equalTo("LIVE")).body("close.raised", equalTo("100000"));
        assertThat(balance(ledger, bob, symbol, AccountKind.ACCOUNT_KIND_USER)).isEqualTo(whole(160_000));
        assertThat(balance(ledger, carol, symbol, AccountKind.ACCOUNT_KIND_USER)).isEqualTo(whole(240_000));
        assertThat(held(ledger, bob, "FLOCK", AccountKind.ACCOUNT_KIND_USER)).isZero();
        assertThat(balance(ledger, symbol + "-FLOCK", symbol, AccountKind.ACCOUNT_KIND_POOL_RESERVE)).isEqualTo(whole(200_000));
        assertThat(balance(ledger, symbol + "-FLOCK", "FLOCK", AccountKind.ACCOUNT_KIND_POOL_RESERVE)).isEqualTo(whole(50_000));
        assertThat(balance(ledger, offering, symbol, AccountKind.ACCOUNT_KIND_OFFERING_ESCROW)).isZero();
        assertThat(balance(ledger, offering, "FLOCK", AccountKind.ACCOUNT_KIND_OFFERING_ESCROW)).isZero();
    }

    /** Concurrent closes (operator calls and the scheduler) settle once. */
    @Test
    void concurrentClosesSettleOnce() throws Exception {
        String bob = sub("bob");
        deposit(bob, "100000");
        String symbol = symbol();
        String[] ids = openOffering(symbol, "0.25", Map.of("softCap", "1000"));
        contribute("bob", ids[1], "1000", "x").then().statusCode(201);
        expire(pool, ids[1]);
        var pool4 = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            var futures = new java.util.ArrayList<java.util.concurrent.Future<Integer>>();
            for (int i = 0; i < 4; i++) {
                futures.add(pool4.submit(() -> close(ids[1]).then().extract().statusCode()));
            }
            for (var f : futures) {
                assertThat(f.get()).isEqualTo(200);
            }
        } finally {
            pool4.shutdown();
        }
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> io.restassured.RestAssured.given()
                .get("/api/v1/offerings/" + ids[1]).then().body("state", equalTo("LIVE")));
        assertThat(balance(ledger, bob, symbol, AccountKind.ACCOUNT_KIND_USER)).isEqualTo(whole(4000));
    }

    @Test
    void contributionsAreIdempotentAndRefusalsHoldNothing() {
        String bob = sub("bob");
        deposit(bob, "500");
        String[] ids = openOffering(symbol(), "0.25", Map.of("maxContribution", "300", "minContribution", "10"));
        String key = "idem-" + UUID.randomUUID();
        String first = contribute("bob", ids[1], "100", key).then().statusCode(201).extract().path("id");
        String again = contribute("bob", ids[1], "100", key).then().statusCode(201).extract().path("id");
        assertThat(again).isEqualTo(first);
        contribute("bob", ids[1], "101", key).then().statusCode(409).body("code", equalTo("IDEMPOTENCY_KEY_REUSED"));
        contribute("bob", ids[1], "5", "small").then().statusCode(400).body("code", equalTo("CONTRIBUTION_BELOW_MIN"));
        contribute("bob", ids[1], "250", "big").then().statusCode(409).body("code", equalTo("CONTRIBUTION_ABOVE_MAX"));
        contribute("bob", ids[1], "-1", "neg").then().statusCode(400).body("code", equalTo("INVALID_AMOUNT"));
        // dave has no FLOCK here beyond what other tests gave him: ask for far more
        contribute("dave", ids[1], "300", "poor").then().statusCode(409).body("code", equalTo("INSUFFICIENT_BALANCE"));
        io.restassured.RestAssured.given().auth().oauth2(io.fomo.testkit.KeycloakTokens.user("bob"))
                .get("/api/v1/offerings/" + ids[1] + "/contributions/me").then().statusCode(200)
                .body("contributed", equalTo("100")).body("contributions.size()", equalTo(1));
        assertThat(held(ledger, sub("dave"), "FLOCK", AccountKind.ACCOUNT_KIND_USER)).isZero();
        // closed window
        expire(pool, ids[1]);
        contribute("bob", ids[1], "10", "late").then().statusCode(409).body("code", equalTo("OFFERING_CLOSED"));
    }

    @Test
    void cancelRefundsEveryone() {
        String bob = sub("bob");
        deposit(bob, "100");
        BigInteger bob0 = balance(ledger, bob, "FLOCK", AccountKind.ACCOUNT_KIND_USER);
        String[] ids = openOffering(symbol(), "0.25", Map.of());
        contribute("bob", ids[1], "40", "a").then().statusCode(201);
        contribute("bob", ids[1], "2", "b").then().statusCode(201);
        io.restassured.RestAssured.given().auth().oauth2(io.fomo.testkit.KeycloakTokens.user("op"))
                .post("/api/v1/offerings/" + ids[1] + "/cancel").then().statusCode(200)
                .body("state", equalTo("CANCELLED")).body("close.phase", equalTo("DONE"));
        assertThat(balance(ledger, bob, "FLOCK", AccountKind.ACCOUNT_KIND_USER)).isEqualTo(bob0);
        assertThat(held(ledger, bob, "FLOCK", AccountKind.ACCOUNT_KIND_USER)).isZero();
        contribute("bob", ids[1], "1", "c").then().statusCode(409).body("code", equalTo("OFFERING_CLOSED"));
    }
}
