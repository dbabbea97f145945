package io.fomo.treasury.ledger.api;

import io.fomo.treasury.ledger.LedgerTestSupport;

import static io.fomo.treasury.ledger.LedgerTestSupport.count;
import static io.fomo.treasury.ledger.LedgerTestSupport.journalRows;
import static io.fomo.treasury.ledger.LedgerTestSupport.subject;
import static io.fomo.treasury.ledger.LedgerTestSupport.unique;
import static io.fomo.treasury.TreasuryRest.as;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fomo.grpc.treasury.v1.RegisterModelTokenRequest;
import io.fomo.grpc.treasury.v1.LedgerGrpc;
import io.fomo.testkit.KeycloakTokens;
import io.fomo.testkit.TestDatabase;
import io.fomo.treasury.TreasuryRest;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;

/**
 * The REST endpoints of SPEC §9 with real Keycloak tokens: the §8 auth matrix for each, deposits (the bridge
 * stand-in) with their idempotency, balances, tokens, the audit, and bad input as problem+json writing nothing.
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class LedgerRestQuarkusTest {

    @Inject
    Pool pool;

    @GrpcClient("ledger")
    LedgerGrpc.LedgerBlockingStub grpc;

    static Map<String, Object> deposit(String depositId, String userId, String token, String amount) {
        return TreasuryRest.body("depositId", depositId, "userId", userId, "token", token, "amount", amount);
    }

    static JsonPath balances(String user) {
        return TreasuryRest.me(user);
    }

    static String available(JsonPath balances, String token) {
        return balances.getString("balances.find { it.token == '" + token + "' }.available");
    }

    @Test
    void everyEndpointAnswersAnonymous401WrongRole403AndTheRightCaller() {
        String bobId = subject(KeycloakTokens.user("bob"));
        String carolId = subject(KeycloakTokens.user("carol"));
        Map<String, Object> body = deposit(unique("dep"), carolId, "USDC", "1");

        as(null).contentType("application/json").body(body).post("/api/v1/deposits").then().statusCode(401)
                .contentType("application/problem+json").body("code", equalTo("UNAUTHENTICATED"));
        as("bob").contentType("application/json").body(body).post("/api/v1/deposits").then().statusCode(403)
                .contentType("application/problem+json").body("code", equalTo("FORBIDDEN"));
        as("alice").contentType("application/json").body(body).post("/api/v1/deposits").then().statusCode(403);
        as("op").contentType("application/json").body(body).post("/api/v1/deposits").then().statusCode(201);

        as(null).get("/api/v1/balances/me").then().statusCode(401);
        as("bob").get("/api/v1/balances/me").then().statusCode(200).body("userId", equalTo(bobId));

        as(null).get("/api/v1/balances/" + carolId).then().statusCode(401);
        as("bob").get("/api/v1/balances/" + carolId).then().statusCode(403)
                .contentType("application/problem+json").body("code", equalTo("FORBIDDEN"));
        as("carol").get("/api/v1/balances/" + carolId).then().statusCode(200).body("userId", equalTo(carolId));
        as("op").get("/api/v1/balances/" + carolId).then().statusCode(200).body("userId", equalTo(carolId));

        as(null).get("/api/v1/tokens").then().statusCode(200).body("symbol", hasItem("FLOCK"));
        as(null).get("/api/v1/tokens/USDC").then().statusCode(200).body("decimals", equalTo(6));
        as("bob").get("/api/v1/tokens/FLOCK").then().statusCode(200);

        as(null).get("/api/v1/audit").then().statusCode(401);
        as("bob").get("/api/v1/audit").then().statusCode(403);
        as("op").get("/api/v1/audit").then().statusCode(200).body("ok", equalTo(true));
    }

    @Test
    void aFlockDepositMovesFlockFromTheBridgeFloatAndIsIdempotentByDepositId() {
        String bobId = subject(KeycloakTokens.user("bob"));
        String before = available(balances("bob"), "FLOCK");
        String depositId = unique("bridge-tx");
        Map<String, Object> body = deposit(depositId, bobId, "FLOCK", "1500.25");
        JsonPath first = as("op").contentType("application/json").body(body).post("/api/v1/deposits")
                .then().statusCode(201).body("id", equalTo(depositId)).body("amount", equalTo("1500.25"))
                .body("state", equalTo("POSTED")).body("createdAt", notNullValue())
                .extract().jsonPath();
        long rows = journalRows(pool);
        JsonPath again = as("op").contentType("application/json").body(body).post("/api/v1/deposits")
                .then().statusCode(201).header("Idempotent-Replayed", "true").extract().jsonPath();
        assertThat(again.getMap("")).isEqualTo(first.getMap(""));
        assertThat(journalRows(pool)).isEqualTo(rows);
        assertThat(new java.math.BigDecimal(available(balances("bob"), "FLOCK")))
                .isEqualByComparingTo(new java.math.BigDecimal(before == null ? "0" : before).add(
                        new java.math.BigDecimal("1500.25")));

        body.put("amount", "1500.26");
        as("op").contentType("application/json").body(body).post("/api/v1/deposits")
                .then().statusCode(409).contentType("application/problem+json")
                .body("code", equalTo("IDEMPOTENCY_CONFLICT"));
        assertThat(journalRows(pool)).isEqualTo(rows);

        // The FLOCK supply does not change: deposits only move it from the float.
        as(null).get("/api/v1/tokens/FLOCK").then().statusCode(200).body("minted", equalTo("1000000000"))
                .body("circulating", equalTo("1000000000"));
    }

    @Test
    void aUsdcDepositMintsUsdcAndAModelTokenIsNotDepositable() {
        String dave = subject(KeycloakTokens.user("dave"));
        String mintedBefore = as(null).get("/api/v1/tokens/USDC").then().extract().path("minted");
        as("op").contentType("application/json").body(deposit(unique("card"), dave, "USDC", "25.000001"))
                .post("/api/v1/deposits").then().statusCode(201);
        String mintedAfter = as(null).get("/api/v1/tokens/USDC").then().extract().path("minted");
        assertThat(new java.math.BigDecimal(mintedAfter).subtract(new java.math.BigDecimal(mintedBefore)))
                .isEqualByComparingTo("25.000001");

        String symbol = "DEP" + Long.toString(System.nanoTime() % 1_000_000_000L, 36).toUpperCase();
        LedgerTestSupport.service(grpc).registerModelToken(RegisterModelTokenRequest.newBuilder().setSymbol(symbol)
                .setDeploymentId(unique("deployment")).build());
        long rows = journalRows(pool);
        as("op").contentType("application/json").body(deposit(unique("dep"), dave, symbol, "1"))
                .post("/api/v1/deposits").then().statusCode(400).contentType("application/problem+json")
                .body("code", equalTo("TOKEN_NOT_DEPOSITABLE"));
        assertThat(journalRows(pool)).isEqualTo(rows);
    }

    @Test
    void badDepositsAreProblemsAndWriteNothing() {
        String carol = subject(KeycloakTokens.user("carol"));
        long rows = journalRows(pool);
        Map<String, Map<String, Object>> cases = new java.util.LinkedHashMap<>();
        cases.put("INVALID_AMOUNT", deposit(unique("d"), carol, "USDC", "1.0000001"));
        cases.put("INVALID_AMOUNT ", deposit(unique("d"), carol, "USDC", "-5"));
        cases.put("INVALID_AMOUNT  ", deposit(unique("d"), carol, "USDC", "0"));
        cases.put("INVALID_AMOUNT   ", deposit(unique("d"), carol, "FLOCK", "1e18"));
        cases.put("INVALID_AMOUNT    ", deposit(unique("d"), carol, "FLOCK", null));
        cases.put("INVALID_AMOUNT     ", deposit(unique("d"), carol, "FLOCK", "12,5"));
        cases.put("UNKNOWN_TOKEN", deposit(unique("d"), carol, "DOGE", "1"));
        cases.put("UNKNOWN_TOKEN ", deposit(unique("d"), carol, null, "1"));
        cases.put("INVALID_ACCOUNT", deposit(unique("d"), "", "USDC", "1"));
        cases.put("INVALID_ACCOUNT ", deposit(unique("d"), null, "USDC", "1"));
        cases.put("INVALID_DEPOSIT_ID", deposit("", carol, "USDC", "1"));
        cases.put("INVALID_DEPOSIT_ID ", deposit("has space", carol, "USDC", "1"));
        cases.forEach((code, body) -> as("op").contentType("application/json").body(body).post("/api/v1/deposits")
                .then().statusCode(400).contentType("application/problem+json").body("code", equalTo(code.strip()))
                .body("status", equalTo(400)));
        // A JSON number is not an amount (SPEC §2), and a body that is not JSON is malformed.
        as("op").contentType("application/json")
                .body("{\"depositId\":\"x1\",\"userId\":\"" + carol + "\",\"token\":\"USDC\",\"amount\":5}")
                .post("/api/v1/deposits").then().statusCode(400).contentType("application/problem+json");
        as("op").contentType("application/json").body("{not json").post("/api/v1/deposits")
                .then().statusCode(400).contentType("application/problem+json").body("code", equalTo("MALFORMED_REQUEST"));
        assertThat(journalRows(pool)).isEqualTo(rows);
    }

    /** Issue 17, "money to nobody": the user must be a subject Keycloak knows (KnownUsers). */
    @Test
    void aDepositToSomeoneKeycloakDoesNotKnowIs404UnknownUserAndWritesNothing() {
        String carol = subject(KeycloakTokens.user("carol"));
        long rows = journalRows(pool);
        String depositId = unique("d");
        for (String nobody : List.of("nobody", "<script>alert(1)</script>", java.util.UUID.randomUUID().toString(),
                "carol", "../users/" + carol, carol.toUpperCase())) {
            as("op").contentType("application/json").body(deposit(depositId, nobody, "USDC", "5"))
                    .post("/api/v1/deposits").then().statusCode(404).contentType("application/problem+json")
                    .body("code", equalTo("UNKNOWN_USER"));
        }
        assertThat(journalRows(pool)).isEqualTo(rows);
        assertThat(count(pool, "SELECT count(*) FROM ledger_transfer WHERE id = 'deposit:" + depositId + "'")).isZero();
        // The refused deposit used nothing: the same depositId to a real user is a first deposit, as before.
        JsonPath done = as("op").contentType("application/json").body(deposit(depositId, carol, "USDC", "5"))
                .post("/api/v1/deposits").then().statusCode(201).header("Idempotent-Replayed", "false")
                .extract().jsonPath();
        assertThat(done.getString("userId")).isEqualTo(carol);
        assertThat(journalRows(pool)).isEqualTo(rows + 1);
    }

    @Test
    void balancesShowAvailableAndHeldPerToken() {
        String carol = subject(KeycloakTokens.user("carol"));
        as("op").contentType("application/json").body(deposit(unique("d"), carol, "USDC", "10"))
                .post("/api/v1/deposits").then().statusCode(201);
        JsonPath mine = balances("carol");
        assertThat(mine.getString("userId")).isEqualTo(carol);
        List<Map<String, Object>> list = mine.getList("balances");
        assertThat(list).anySatisfy(b -> {
            assertThat(b.get("token")).isEqualTo("USDC");
            assertThat(b).containsKeys("available", "held", "staked", "unbonding");
            assertThat(b.get("held")).isEqualTo("0");
        });
    }

    @Test
    void tokensShowSupplyAndUnknownOnesAre404() {
        JsonPath flock = as(null).get("/api/v1/tokens/FLOCK").then().statusCode(200).extract().jsonPath();
        assertThat(flock.getInt("decimals")).isEqualTo(18);
        assertThat(flock.getString("minted")).isEqualTo("1000000000");
        assertThat(flock.getString("burned")).isEqualTo("0");
        as(null).get("/api/v1/tokens/NOPE").then().statusCode(404).contentType("application/problem+json")
                .body("code", equalTo("TOKEN_NOT_FOUND"));
    }

    @Test
    void theAuditProvesConservationPerTokenAndBalancesEqualTheJournal() {
        JsonPath audit = as("op").get("/api/v1/audit").then().statusCode(200).extract().jsonPath();
        assertThat(audit.getBoolean("ok")).isTrue();
        assertThat(audit.getBoolean("journal.ok")).isTrue();
        assertThat(audit.getList("journal.mismatches")).isEmpty();
        assertThat(audit.getList("tokens.symbol", String.class)).contains("FLOCK", "USDC");
        assertThat(audit.getString("tokens.find { it.symbol == 'FLOCK' }.minted")).isEqualTo("1000000000");
        assertThat(audit.getList("tokens.ok", Boolean.class)).containsOnly(true);
    }
}
