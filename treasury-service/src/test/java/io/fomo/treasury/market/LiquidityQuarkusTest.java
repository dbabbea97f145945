package io.fomo.treasury.market;

import static io.fomo.testkit.ConsumerRollback.count;
import static io.fomo.treasury.TreasuryRest.as;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.fomo.shared.events.types.DeploymentLive;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.fomo.testkit.KeycloakTokens;
import io.fomo.testkit.TestDatabase;
import io.fomo.treasury.TreasuryRest;
import io.fomo.treasury.ledger.LedgerService;
import io.fomo.treasury.ledger.model.AccountKey;
import io.fomo.treasury.ledger.model.AccountKind;
import io.fomo.treasury.ledger.model.Operation;
import io.fomo.treasury.market.MarketFixtures.Model;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;

/**
 * Issue #21 liquidity over REST with real tokens: an add in the pool's ratio with hand-computed shares, replay and
 * key reuse, the slippage guards, bad input (400, nothing written), LP shares in the balances, the quote following
 * the new reserves, a removal to the base unit, the launch's locked shares (409 LP_LOCKED before the date, removed
 * for the lp owner after it; the genesis pool's never), and the audit ok with the LP tokens.
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class LiquidityQuarkusTest {

    static final Token LP = new Token("LP", 18);

    @Inject
    MarketFixtures fx;

    @Inject
    LedgerService ledger;

    @Inject
    PoolRegistry registry;

    static RequestSpecification operator() {
        return given().auth().oauth2(KeycloakTokens.user("op"));
    }

    static String lp(BigInteger units) {
        return Amount.ofUnits(LP, units).toDecimalString();
    }

    static BigInteger lpUnits(String text) {
        return Amount.parse(LP, text).units();
    }

    /** MT from the launch's escrow (what the offering did not seed) to {@code userId}. */
    void giveMt(Model m, String userId, String amount) {
        String id = "ledger:test-mt:" + UUID.randomUUID();
        ledger.internalBatch(id, List.of(new Operation.Transfer(id + ":0",
                new AccountKey("off-" + m.deploymentId(), m.symbol(), AccountKind.OFFERING_ESCROW),
                new AccountKey(userId, m.symbol(), AccountKind.USER), MarketFixtures.flock(amount), "TEST", "test")))
                .await().indefinitely();
    }

    static Map<String, Object> add(Object base, Object quote, Object minShares, String key) {
        return TreasuryRest.body("baseAmount", base, "quoteAmount", quote, "minShares", minShares, "idempotencyKey", key);
    }

    static Map<String, Object> removal(Object shares, Object minBase, Object minQuote, String key) {
        return TreasuryRest.body("shares", shares, "minBaseAmount", minBase, "minQuoteAmount", minQuote,
                "idempotencyKey", key);
    }

    static long writes(String poolId) {
        return count("SELECT count(*) FROM market_liquidity WHERE pool_id = ?", poolId)
                + count("SELECT count(*) FROM ledger_transfer WHERE token = ?", "LP-" + poolId);
    }

    static void auditOk() {
        JsonPath audit = operator().get("/api/v1/audit").then().statusCode(200).extract().jsonPath();
        assertThat(audit.getBoolean("journal.ok")).isTrue();
        assertThat(audit.getList("tokens.findAll { !it.ok }.symbol")).isEmpty();
        assertThat(audit.getList("supply.findAll { !it.ok }.symbol")).isEmpty();
        assertThat(audit.getBoolean("ok")).as(audit.prettify()).isTrue();
    }

    @Test
    void addRemoveAndTheLockOverRest() {
        Model m = fx.model("100000", "200000", Instant.now().minusSeconds(7200));
        String pool = "/api/v1/markets/" + m.poolId();
        String lpToken = "LP-" + m.poolId();
        BigInteger s0 = MarketFixtures.flock("100000").multiply(MarketFixtures.flock("200000")).sqrt();

        // The pool's seed shares are its LP token, locked in the lp owner's LP_LOCK.
        JsonPath view = given().get(pool).then().statusCode(200).extract().jsonPath();
        assertThat(view.getString("lpToken")).isEqualTo(lpToken);
        assertThat(view.getString("lpShares")).isEqualTo(lp(s0));
        assertThat(view.getString("lpLocked")).isEqualTo(lp(s0));
        assertThat(fx.balance(new AccountKey("protocol", lpToken, AccountKind.LP_LOCK))).isEqualTo(s0);

        String bob = MarketRestQuarkusTest.sub("bob");
        giveMt(m, bob, "3000");
        fx.fund(bob, "FLOCK", "10000");
        BigInteger flockBefore = fx.balance(new AccountKey(bob, "FLOCK", AccountKind.USER));
        String quoteBefore = given().queryParam("tokenIn", "FLOCK").queryParam("amountIn", "10")
                .get(pool + "/quote").then().statusCode(200).extract().path("amountOut");

        // Maxima (1000 MT, 5000 FLOCK) on (100,000, 200,000): b* = 2000 ≤ 5000 → (1000, 2000); shares = S0/100.
        BigInteger shares = s0.divide(BigInteger.valueOf(100));
        long before = writes(m.poolId());
        as("bob").contentType("application/json").body(add("1000", "5000", lp(shares.add(BigInteger.ONE)),
                "slip-" + UUID.randomUUID())).post(pool + "/liquidity").then().statusCode(409)
                .body("code", equalTo("SLIPPAGE_EXCEEDED"));
        assertThat(writes(m.poolId())).isEqualTo(before);
        String key = "add-" + UUID.randomUUID();
        Map<String, Object> body = add("1000", "5000", lp(shares), key);
        JsonPath added = as("bob").contentType("application/json").body(body).post(pool + "/liquidity").then()
                .statusCode(201).extract().jsonPath();
        assertThat(added.getString("kind")).isEqualTo("ADD");
        assertThat(added.getString("baseAmount")).isEqualTo("1000");
        assertThat(added.getString("quoteAmount")).isEqualTo("2000");
        assertThat(added.getString("shares")).isEqualTo(lp(shares));
        assertThat(added.getString("lpToken")).isEqualTo(lpToken);
        assertThat(added.getString("userId")).isEqualTo(bob);
        assertThat(added.getString("reservesAfter.find { it.token == 'FLOCK' }.amount")).isEqualTo("202000");
        assertThat(fx.reserve(m.poolId(), m.symbol())).isEqualTo(MarketFixtures.flock("101000"));
        assertThat(fx.balance(new AccountKey(bob, lpToken, AccountKind.USER))).isEqualTo(shares);
        assertThat(fx.balance(new AccountKey(bob, "FLOCK", AccountKind.USER))).isEqualTo(flockBefore.subtract(MarketFixtures.flock("2000")));

        // Replay: the first answer, nothing twice; the key with another body: 409.
        as("bob").contentType("application/json").body(body).post(pool + "/liquidity").then().statusCode(201)
                .body("id", equalTo(added.getString("id"))).body("shares", equalTo(lp(shares)));
        assertThat(fx.balance(new AccountKey(bob, lpToken, AccountKind.USER))).isEqualTo(shares);
        as("bob").contentType("application/json").body(add("1", "5000", "0", key)).post(pool + "/liquidity").then()
                .statusCode(409).body("code", equalTo("IDEMPOTENCY_KEY_REUSED"));

        // The LP shares in the balances, the pool's circulating supply, and the quote on the new reserves.
        assertThat(TreasuryRest.me("bob").getString("balances.find { it.token == '" + lpToken + "' }.available"))
                .isEqualTo(lp(shares));
        view = given().get(pool).then().statusCode(200).extract().jsonPath();
        assertThat(view.getString("lpShares")).isEqualTo(lp(s0.add(shares)));
        assertThat(view.getString("lpLocked")).isEqualTo(lp(s0));
        String quoteAfter = given().queryParam("tokenIn", "FLOCK").queryParam("amountIn", "10")
                .get(pool + "/quote").then().statusCode(200).extract().path("amountOut");
        assertThat(quoteAfter).isNotEqualTo(quoteBefore).isEqualTo(Amount.ofUnits(new Token("MT", 18),
                SwapMath.amountOut(MarketFixtures.flock("202000"), MarketFixtures.flock("101000"),
                        MarketFixtures.flock("10"), 30)).toDecimalString());
        // The TWAP accumulator was closed at the add, as a swap closes it.
        assertThat(count("SELECT count(*) FROM market_pool WHERE pool_id = ? AND cumulative_at > created_at",
                m.poolId())).isEqualTo(1);

        // Remove a third of bob's shares: floor(s·x/S) and floor(s·y/S) to the base unit.
        BigInteger s = shares.divide(BigInteger.valueOf(3));
        BigInteger supply = s0.add(shares);
        BigInteger x = MarketFixtures.flock("101000");
        BigInteger y = MarketFixtures.flock("202000");
        BigInteger outBase = s.multiply(x).divide(supply);
        BigInteger outQuote = s.multiply(y).divide(supply);
        before = writes(m.poolId());
        as("bob").contentType("application/json").body(removal(lp(s), lp(outBase.add(BigInteger.ONE)), "0",
                "rs-" + UUID.randomUUID())).post(pool + "/liquidity/removals").then().statusCode(409)
                .body("code", equalTo("SLIPPAGE_EXCEEDED"));
        as("bob").contentType("application/json").body(removal(lp(shares.add(BigInteger.ONE)), "0", "0",
                "rb-" + UUID.randomUUID())).post(pool + "/liquidity/removals").then().statusCode(409)
                .body("code", equalTo("INSUFFICIENT_BALANCE"));
        assertThat(writes(m.poolId())).isEqualTo(before);
        JsonPath removed = as("bob").contentType("application/json").body(removal(lp(s), lp(outBase), lp(outQuote),
                "rm-" + UUID.randomUUID())).post(pool + "/liquidity/removals").then().statusCode(201).extract()
                .jsonPath();
        assertThat(removed.getString("kind")).isEqualTo("REMOVE");
        assertThat(removed.getString("baseAmount")).isEqualTo(lp(outBase));
        assertThat(removed.getString("quoteAmount")).isEqualTo(lp(outQuote));
        assertThat(fx.reserve(m.poolId(), m.symbol())).isEqualTo(x.subtract(outBase));
        assertThat(fx.reserve(m.poolId(), "FLOCK")).isEqualTo(y.subtract(outQuote));
        assertThat(fx.balance(new AccountKey(bob, lpToken, AccountKind.USER))).isEqualTo(shares.subtract(s));
        assertThat(fx.burned(lpToken)).isEqualTo(s);
        assertThat(lpUnits(given().get(pool).then().extract().path("lpShares"))).isEqualTo(supply.subtract(s));

        // The launch's locked shares: 409 LP_LOCKED a year before their date, nothing written; users may not.
        before = writes(m.poolId());
        operator().contentType("application/json").body(TreasuryRest.body("shares", "1", "idempotencyKey",
                "lk-" + UUID.randomUUID())).post(pool + "/locked-liquidity/removals").then().statusCode(409)
                .body("code", equalTo("LP_LOCKED"));
        as("bob").contentType("application/json").body(TreasuryRest.body("shares", "1", "idempotencyKey",
                "lk-" + UUID.randomUUID())).post(pool + "/locked-liquidity/removals").then().statusCode(403);
        assertThat(writes(m.poolId())).isEqualTo(before);
        assertThat(fx.balance(new AccountKey("protocol", lpToken, AccountKind.LP_LOCK))).isEqualTo(s0);

        auditOk();
    }

    @Test
    void lockedSharesAfterTheirDateGoToTheLpOwner() {
        Model m = fx.launch("1000", "4000");
        Instant liveAt = Instant.now().minusSeconds(3600);
        registry.apply(new DeploymentLive(m.deploymentId(), m.symbol(), m.ownerId(), "model-" + m.symbol(), "0.5",
                "1.5", "0.2", "0.6", liveAt, m.poolId(), "off-" + m.deploymentId(), Instant.now().minusSeconds(60)))
                .await().indefinitely();
        String pool = "/api/v1/markets/" + m.poolId();
        String lpToken = "LP-" + m.poolId();
        BigInteger s0 = MarketFixtures.flock("1000").multiply(MarketFixtures.flock("4000")).sqrt(); // 2000 LP
        assertThat(s0).isEqualTo(MarketFixtures.flock("2000"));
        BigInteger treasuryMt = fx.balance(AccountKey.protocol(m.symbol(), AccountKind.TREASURY));
        BigInteger treasuryFlock = fx.balance(AccountKey.protocol("FLOCK", AccountKind.TREASURY));

        String key = "unlock-" + UUID.randomUUID();
        Map<String, Object> body = TreasuryRest.body("shares", "500", "idempotencyKey", key);
        JsonPath removed = operator().contentType("application/json").body(body)
                .post(pool + "/locked-liquidity/removals").then().statusCode(201).extract().jsonPath();
        // A quarter of the shares: a quarter of both reserves, to (protocol, *, TREASURY).
        assertThat(removed.getString("kind")).isEqualTo("REMOVE_LOCKED");
        assertThat(removed.getString("userId")).isEqualTo("protocol");
        assertThat(removed.getString("baseAmount")).isEqualTo("250");
        assertThat(removed.getString("quoteAmount")).isEqualTo("1000");
        operator().contentType("application/json").body(body).post(pool + "/locked-liquidity/removals").then()
                .statusCode(201).body("id", equalTo(removed.getString("id")));
        assertThat(fx.balance(AccountKey.protocol(m.symbol(), AccountKind.TREASURY)))
                .isEqualTo(treasuryMt.add(MarketFixtures.flock("250")));
        assertThat(fx.balance(AccountKey.protocol("FLOCK", AccountKind.TREASURY)))
                .isEqualTo(treasuryFlock.add(MarketFixtures.flock("1000")));
        assertThat(fx.balance(new AccountKey("protocol", lpToken, AccountKind.LP_LOCK)))
                .isEqualTo(MarketFixtures.flock("1500"));
        given().get(pool).then().statusCode(200).body("lpLocked", equalTo("1500")).body("lpShares", equalTo("1500"));
        // More than is locked: refused, nothing written.
        operator().contentType("application/json").body(TreasuryRest.body("shares", "1500.000000000000000001",
                "idempotencyKey", "unlock-" + UUID.randomUUID())).post(pool + "/locked-liquidity/removals").then()
                .statusCode(409).body("code", equalTo("INSUFFICIENT_BALANCE"));

        // The genesis pool's shares (protocol liquidity, no unlock date) never move. lpLocked is the LP_LOCK
        // account alone: other tests of this module may have added user liquidity to the genesis pool.
        BigInteger genesisLocked = fx.balance(new AccountKey("protocol", "LP-FLOCK-USDC", AccountKind.LP_LOCK));
        assertThat(genesisLocked).isPositive();
        assertThat(lpUnits(given().get("/api/v1/markets/FLOCK-USDC").then().statusCode(200)
                .body("lpToken", equalTo("LP-FLOCK-USDC")).extract().path("lpLocked"))).isEqualTo(genesisLocked);
        operator().contentType("application/json").body(TreasuryRest.body("shares", "1", "idempotencyKey",
                "g-" + UUID.randomUUID())).post("/api/v1/markets/FLOCK-USDC/locked-liquidity/removals").then()
                .statusCode(409).body("code", equalTo("LP_LOCKED"));
        assertThat(fx.balance(new AccountKey("protocol", "LP-FLOCK-USDC", AccountKind.LP_LOCK)))
                .isEqualTo(genesisLocked);
        auditOk();
    }

    @Test
    void badInputIsRefusedAndWritesNothing() {
        Model m = fx.model("1000", "1000", Instant.now().minusSeconds(60));
        String pool = "/api/v1/markets/" + m.poolId();
        String bob = MarketRestQuarkusTest.sub("bob");
        fx.fund(bob, "FLOCK", "100");
        long before = writes(m.poolId());
        String path = pool + "/liquidity";
        given().contentType("application/json").body(add("1", "1", "0", "k")).post(path).then().statusCode(401);
        as("bob").contentType("application/json").body(add(1, "1", "0", "k-" + UUID.randomUUID())).post(path).then()
                .statusCode(400).body("code", equalTo("INVALID_AMOUNT"));
        as("bob").contentType("application/json").body(add("-1", "1", "0", "k-" + UUID.randomUUID())).post(path)
                .then().statusCode(400).body("code", equalTo("INVALID_AMOUNT"));
        as("bob").contentType("application/json").body(add("0", "1", "0", "k-" + UUID.randomUUID())).post(path)
                .then().statusCode(400).body("code", equalTo("INVALID_AMOUNT"));
        as("bob").contentType("application/json").body(add("1", "1", "abc", "k-" + UUID.randomUUID())).post(path)
                .then().statusCode(400).body("code", equalTo("INVALID_AMOUNT"));
        as("bob").contentType("application/json").body(add("1", "1", null, "k-" + UUID.randomUUID())).post(path)
                .then().statusCode(400).body("code", equalTo("MALFORMED_REQUEST"));
        as("bob").contentType("application/json").body(add("1", "1", "0", null)).post(path).then().statusCode(400)
                .body("code", equalTo("INVALID_IDEMPOTENCY_KEY"));
        Map<String, Object> late = add("1", "1", "0", "k-" + UUID.randomUUID());
        late.put("deadline", "2020-01-01T00:00:00Z");
        as("bob").contentType("application/json").body(late).post(path).then().statusCode(409)
                .body("code", equalTo("DEADLINE_EXCEEDED"));
        late.put("deadline", "tomorrow");
        as("bob").contentType("application/json").body(late).post(path).then().statusCode(400)
                .body("code", equalTo("INVALID_DEADLINE"));
        // bob has no MT: 409 INSUFFICIENT_BALANCE.
        as("bob").contentType("application/json").body(add("1", "1", "0", "k-" + UUID.randomUUID())).post(path)
                .then().statusCode(409).body("code", equalTo("INSUFFICIENT_BALANCE"));
        as("bob").contentType("application/json").body(add("1", "1", "0", "k-" + UUID.randomUUID()))
                .post("/api/v1/markets/NOPE-FLOCK/liquidity").then().statusCode(404)
                .body("code", equalTo("POOL_NOT_FOUND"));
        as("bob").contentType("application/json").body(removal("1", "0", "0", "k-" + UUID.randomUUID()))
                .post(pool + "/liquidity/removals").then().statusCode(409).body("code", equalTo("INSUFFICIENT_BALANCE"));
        as("bob").contentType("application/json").body(removal("0.0000000000000000001", "0", "0",
                "k-" + UUID.randomUUID())).post(pool + "/liquidity/removals").then().statusCode(400)
                .body("code", equalTo("INVALID_AMOUNT"));
        as("bob").contentType("application/json").body(removal("1", null, "0", "k-" + UUID.randomUUID()))
                .post(pool + "/liquidity/removals").then().statusCode(400).body("code", equalTo("MALFORMED_REQUEST"));
        assertThat(writes(m.poolId())).isEqualTo(before);
        assertThat(fx.reserve(m.poolId(), "FLOCK")).isEqualTo(MarketFixtures.flock("1000"));
    }
}
