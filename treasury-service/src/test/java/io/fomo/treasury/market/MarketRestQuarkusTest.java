package io.fomo.treasury.market;

import static io.fomo.testkit.ConsumerRollback.count;
import static io.fomo.treasury.TreasuryRest.as;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.math.BigInteger;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import org.junit.jupiter.api.Test;


import io.fomo.testkit.KeycloakTokens;
import io.fomo.testkit.TestDatabase;
import io.fomo.treasury.TreasuryRest;
import io.fomo.treasury.ledger.model.AccountKey;
import io.fomo.treasury.ledger.model.AccountKind;
import io.fomo.treasury.ledger.LedgerService;
import io.fomo.treasury.market.MarketFixtures.Model;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;

/**
 * SPEC §5/§9 markets over REST with real tokens: the genesis pool, hand-computed Uniswap v2 swaps, the slippage
 * guard (409 with nothing moved), reserves that never empty, idempotency, auth (§8) and bad input.
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class MarketRestQuarkusTest {

    @Inject
    MarketFixtures fx;

    @Inject
    LedgerService ledger;

    static String sub(String user) {
        return TreasuryRest.me(user).getString("userId");
    }

    static Map<String, Object> swap(String tokenIn, Object amountIn, Object minOut, String key) {
        return TreasuryRest.body("tokenIn", tokenIn, "amountIn", amountIn, "minAmountOut", minOut, "idempotencyKey", key);
    }

    @Test
    void genesisPoolIsSeededOnceFromTheFloatAndMintedUsdc() {
        long seeds = count("SELECT count(*) FROM ledger_transfer WHERE batch_id = ?", MarketGenesis.BATCH_ID);
        assertThat(seeds).isEqualTo(2);
        assertThat(count("SELECT count(*) FROM ledger_transfer WHERE id = ? AND amount = ?::text::numeric",
                MarketGenesis.BATCH_ID + ":flock", MarketFixtures.flock("10000000").toString())).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM ledger_transfer WHERE id = ? AND amount = ?::text::numeric",
                MarketGenesis.BATCH_ID + ":usdc", MarketFixtures.usdc("5000000").toString())).isEqualTo(1);
        // A second start changes nothing.
        new MarketGenesisRunner().run(ledger);
        assertThat(count("SELECT count(*) FROM ledger_transfer WHERE batch_id = ?", MarketGenesis.BATCH_ID))
                .isEqualTo(2);
        JsonPath markets = given().get("/api/v1/markets").then().statusCode(200).extract().jsonPath();
        assertThat(markets.getList("poolId", String.class)).contains("FLOCK-USDC");
        assertThat(markets.getInt("find { it.poolId == 'FLOCK-USDC' }.feeBps")).isEqualTo(30);
        assertThat(markets.getString("find { it.poolId == 'FLOCK-USDC' }.twapWindow")).isEqualTo("PT1H");
    }

    @Test
    void handComputedSwapOverRest() {
        Model m = fx.model("100000", "100000", Instant.now().minusSeconds(7200));
        String bob = sub("bob");
        fx.fund(bob, "FLOCK", "1000");
        BigInteger flockBefore = fx.balance(new AccountKey(bob, "FLOCK", AccountKind.USER));
        BigInteger mtBefore = fx.balance(new AccountKey(bob, m.symbol(), AccountKind.USER));

        // x = y = 100,000, Δx = 1,000 FLOCK: Δx′ = 997; out = floor(100,000 × 997 / 100,997) = 987.158034397061298850 MT
        String expected = "987.15803439706129885";
        given().queryParam("tokenIn", "FLOCK").queryParam("amountIn", "1000")
                .get("/api/v1/markets/" + m.poolId() + "/quote").then().statusCode(200)
                .body("amountOut", equalTo(expected)).body("fee", equalTo("3")).body("tokenOut", equalTo(m.symbol()));

        // minAmountOut one base unit above: 409 SLIPPAGE_EXCEEDED, nothing moved.
        as("bob").contentType("application/json")
                .body(swap("FLOCK", "1000", "987.158034397061298851", "slip-" + UUID.randomUUID()))
                .post("/api/v1/markets/" + m.poolId() + "/swaps").then().statusCode(409)
                .contentType("application/problem+json").body("code", equalTo("SLIPPAGE_EXCEEDED"));
        assertThat(fx.balance(new AccountKey(bob, "FLOCK", AccountKind.USER))).isEqualTo(flockBefore);
        assertThat(fx.reserve(m.poolId(), "FLOCK")).isEqualTo(MarketFixtures.flock("100000"));

        String key = "swap-" + UUID.randomUUID();
        Map<String, Object> body = swap("FLOCK", "1000", expected, key);
        JsonPath swapped = as("bob").contentType("application/json").body(body)
                .post("/api/v1/markets/" + m.poolId() + "/swaps").then().statusCode(201).extract().jsonPath();
        assertThat(swapped.getString("amountOut")).isEqualTo(expected);
        assertThat(swapped.getString("id")).isNotBlank();
        assertThat(fx.reserve(m.poolId(), "FLOCK")).isEqualTo(MarketFixtures.flock("101000"));
        assertThat(fx.reserve(m.poolId(), m.symbol()))
                .isEqualTo(MarketFixtures.flock("100000").subtract(MarketFixtures.flock(expected)));
        assertThat(fx.balance(new AccountKey(bob, "FLOCK", AccountKind.USER)))
                .isEqualTo(flockBefore.subtract(MarketFixtures.flock("1000")));
        assertThat(fx.balance(new AccountKey(bob, m.symbol(), AccountKind.USER)))
                .isEqualTo(mtBefore.add(MarketFixtures.flock(expected)));

        // Same key, same body: the first result again, nothing moves twice. Same key, other body: 409.
        as("bob").contentType("application/json").body(body).post("/api/v1/markets/" + m.poolId() + "/swaps").then()
                .statusCode(201).body("amountOut", equalTo(expected)).body("id", equalTo(swapped.getString("id")));
        assertThat(fx.reserve(m.poolId(), "FLOCK")).isEqualTo(MarketFixtures.flock("101000"));
        as("bob").contentType("application/json").body(swap("FLOCK", "999", "0", key))
                .post("/api/v1/markets/" + m.poolId() + "/swaps").then().statusCode(409)
                .body("code", equalTo("IDEMPOTENCY_KEY_REUSED"));

        // Not enough FLOCK left: a clear 409.
        as("bob").contentType("application/json").body(swap("FLOCK", "1000000", "0", "poor-" + UUID.randomUUID()))
                .post("/api/v1/markets/" + m.poolId() + "/swaps").then().statusCode(409)
                .body("code", equalTo("INSUFFICIENT_BALANCE"));
    }

    @Test
    void aReserveNeverEmpties() {
        // A pool of 10 MT base units and 10 FLOCK base units.
        Model m = fx.model("0.00000000000000001", "0.00000000000000001", Instant.now().minusSeconds(60));
        String bob = sub("bob");
        fx.fund(bob, "FLOCK", "10");
        // Asking for the whole reserve is refused: no input can buy it.
        as("bob").contentType("application/json")
                .body(swap("FLOCK", "10", "0.00000000000000001", "all-" + UUID.randomUUID()))
                .post("/api/v1/markets/" + m.poolId() + "/swaps").then().statusCode(409)
                .body("code", equalTo("SLIPPAGE_EXCEEDED"));
        // The largest swap leaves one base unit: 10 × 10^19 × 0.997 / (10 + ...) → 9.
        as("bob").contentType("application/json").body(swap("FLOCK", "10", "0", "max-" + UUID.randomUUID()))
                .post("/api/v1/markets/" + m.poolId() + "/swaps").then().statusCode(201)
                .body("amountOut", equalTo("0.000000000000000009"));
        assertThat(fx.reserve(m.poolId(), m.symbol())).isEqualTo(BigInteger.ONE);
        // Now any input buys nothing: refused, nothing moved.
        as("bob").contentType("application/json").body(swap("FLOCK", "0.000000000000000001", "0", "zero-" + UUID.randomUUID()))
                .post("/api/v1/markets/" + m.poolId() + "/swaps").then().statusCode(409)
                .body("code", equalTo("ZERO_OUTPUT"));
        assertThat(fx.reserve(m.poolId(), m.symbol())).isEqualTo(BigInteger.ONE);
    }

    @Test
    void quoteEqualsSwapOverRandomSequences() {
        Model m = fx.model("50000", "20000", Instant.now().minusSeconds(60));
        String bob = sub("bob");
        fx.fund(bob, "FLOCK", "100000");
        Random random = new Random(7);
        for (int i = 0; i < 12; i++) {
            boolean buy = i % 3 != 2;
            String tokenIn = buy ? "FLOCK" : m.symbol();
            String amount = (1 + random.nextInt(400)) + "." + random.nextInt(1000);
            BigInteger k = fx.reserve(m.poolId(), "FLOCK").multiply(fx.reserve(m.poolId(), m.symbol()));
            String quoted = given().queryParam("tokenIn", tokenIn).queryParam("amountIn", amount)
                    .get("/api/v1/markets/" + m.poolId() + "/quote").then().statusCode(200).extract().path("amountOut");
            as("bob").contentType("application/json").body(swap(tokenIn, amount, quoted, "seq-" + UUID.randomUUID()))
                    .post("/api/v1/markets/" + m.poolId() + "/swaps").then().statusCode(201)
                    .body("amountOut", equalTo(quoted));
            BigInteger k2 = fx.reserve(m.poolId(), "FLOCK").multiply(fx.reserve(m.poolId(), m.symbol()));
            assertThat(k2).isGreaterThanOrEqualTo(k);
        }
    }

    @Test
    void authAndBadInput() {
        Model m = fx.model("1000", "1000", Instant.now().minusSeconds(60));
        String path = "/api/v1/markets/" + m.poolId() + "/swaps";
        given().get("/api/v1/markets").then().statusCode(200);
        given().contentType("application/json").body(swap("FLOCK", "1", "0", "k1")).post(path).then().statusCode(401);
        // A service account holds no user role.
        given().auth().oauth2(KeycloakTokens.service("rmo-service")).contentType("application/json")
                .body(swap("FLOCK", "1", "0", "k1")).post(path).then().statusCode(403);
        as("bob").contentType("application/json").body(swap("FLOCK", 1, "0", "k-" + UUID.randomUUID())).post(path)
                .then().statusCode(400).body("code", equalTo("INVALID_AMOUNT"));
        as("bob").contentType("application/json").body(swap("FLOCK", "-1", "0", "k-" + UUID.randomUUID())).post(path)
                .then().statusCode(400).body("code", equalTo("INVALID_AMOUNT"));
        as("bob").contentType("application/json").body(swap("FLOCK", "0.0000000000000000001", "0", "k-" + UUID.randomUUID()))
                .post(path).then().statusCode(400).body("code", equalTo("INVALID_AMOUNT"));
        as("bob").contentType("application/json").body(swap("USDC", "1", "0", "k-" + UUID.randomUUID())).post(path)
                .then().statusCode(400).body("code", equalTo("INVALID_TOKEN"));
        as("bob").contentType("application/json").body(swap("FLOCK", "1", "0", null)).post(path)
                .then().statusCode(400).body("code", equalTo("INVALID_IDEMPOTENCY_KEY"));
        as("bob").contentType("application/json").body(swap("FLOCK", "1", null, "k-" + UUID.randomUUID())).post(path)
                .then().statusCode(400);
        Map<String, Object> late = swap("FLOCK", "1", "0", "k-" + UUID.randomUUID());
        late.put("deadline", "2020-01-01T00:00:00Z");
        as("bob").contentType("application/json").body(late).post(path).then().statusCode(409)
                .body("code", equalTo("DEADLINE_EXCEEDED"));
        as("bob").contentType("application/json").body(swap("FLOCK", "1", "0", "k-" + UUID.randomUUID()))
                .post("/api/v1/markets/NOPE-FLOCK/swaps").then().statusCode(404).body("code", equalTo("POOL_NOT_FOUND"));
        given().queryParam("tokenIn", "FLOCK").queryParam("amountIn", "abc")
                .get("/api/v1/markets/" + m.poolId() + "/quote").then().statusCode(400)
                .body("code", equalTo("INVALID_AMOUNT"));
        assertThat(count("SELECT count(*) FROM market_swap WHERE pool_id = ?", m.poolId())).isZero();
        assertThat(fx.reserve(m.poolId(), "FLOCK")).isEqualTo(MarketFixtures.flock("1000"));
    }

    /** Runs the genesis pool seed again, as a second start would. */
    static final class MarketGenesisRunner {
        void run(LedgerService ledger) {
            io.quarkus.arc.Arc.container().instance(MarketGenesis.class).get().run().await().indefinitely();
        }
    }
}
