package io.fomo.rmo.support;

import static io.restassured.RestAssured.given;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import org.eclipse.microprofile.config.ConfigProvider;

import io.fomo.grpc.treasury.v1.Account;
import io.fomo.grpc.treasury.v1.AccountKind;
import io.fomo.grpc.treasury.v1.GetAccountRequest;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.fomo.testkit.KeycloakTokens;
import io.fomo.standin.OpenAiStandIn;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/** Helpers shared by the rmo tests: REST calls with real tokens, the real ledger, and database time travel. */
public final class RmoFixtures {

    public static final String MODEL = "Qwen/Qwen3-32B";

    private RmoFixtures() {
    }

    public static String treasuryUrl() {
        return ConfigProvider.getConfig().getValue("fomo.it.treasury.url", String.class);
    }

    /** The token subject of a demo user. */
    public static String sub(String user) {
        String payload = KeycloakTokens.user(user).split("\\.")[1];
        String json = new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8);
        return io.restassured.path.json.JsonPath.from(json).getString("sub");
    }

    public static String symbol() {
        StringBuilder b = new StringBuilder("T");
        for (int i = 0; i < 9; i++) {
            b.append((char) ('A' + ThreadLocalRandom.current().nextInt(26)));
        }
        return b.toString();
    }

    /** Operator deposit of FLOCK through treasury's bridge stand-in. */
    public static void deposit(String userId, String amount) {
        given().auth().oauth2(KeycloakTokens.user("op")).contentType(ContentType.JSON)
                .body(Map.of("depositId", "rmo-test-" + UUID.randomUUID(), "userId", userId, "token", "FLOCK",
                        "amount", amount))
                .post(treasuryUrl() + "/api/v1/deposits").then().statusCode(201);
    }

    public static String registerDeployment(String owner, String baseUrl) {
        Map<String, Object> body = new HashMap<>();
        body.put("displayName", "Qwen by " + owner);
        body.put("modelId", MODEL);
        body.put("baseUrl", baseUrl);
        body.put("inputPricePerMillion", "0.50");
        body.put("outputPricePerMillion", "1.50");
        body.put("inputCostPerMillion", "0.20");
        body.put("outputCostPerMillion", "0.60");
        body.put("idempotencyKey", UUID.randomUUID().toString());
        return given().auth().oauth2(KeycloakTokens.user(owner)).contentType(ContentType.JSON).body(body)
                .post("/api/v1/deployments").then().statusCode(201).extract().path("id");
    }

    public static void passHostingCheck(String deploymentId) {
        given().auth().oauth2(KeycloakTokens.user("alice")).post("/api/v1/deployments/" + deploymentId + "/hosting-checks")
                .then().statusCode(201).body("ok", org.hamcrest.Matchers.equalTo(true));
    }

    /** A DRAFT offering with P = price, window now-1m .. now+1h, plus {@code extra} fields. */
    public static Response createOffering(String deploymentId, String symbol, String price, Map<String, Object> extra) {
        Map<String, Object> body = new HashMap<>();
        body.put("deploymentId", deploymentId);
        body.put("symbol", symbol);
        body.put("price", price);
        body.put("opensAt", Instant.now().minusSeconds(60).toString());
        body.put("closesAt", Instant.now().plusSeconds(3600).toString());
        body.put("idempotencyKey", UUID.randomUUID().toString());
        body.putAll(extra);
        return given().auth().oauth2(KeycloakTokens.user("alice")).contentType(ContentType.JSON).body(body)
                .post("/api/v1/offerings");
    }

    /** Registers, checks hosting, creates and opens an offering; returns {deploymentId, offeringId}. */
    public static String[] openOffering(OpenAiStandIn host, String symbol, String price, Map<String, Object> extra) {
        String deployment = registerDeployment("alice", host.baseUrl());
        passHostingCheck(deployment);
        String offering = createOffering(deployment, symbol, price, extra).then().statusCode(201).extract().path("id");
        given().auth().oauth2(KeycloakTokens.user("op")).post("/api/v1/offerings/" + offering + "/open")
                .then().statusCode(200).body("state", org.hamcrest.Matchers.equalTo("OPEN"));
        return new String[] {deployment, offering};
    }

    public static Response contribute(String user, String offeringId, String amount, String key) {
        return given().auth().oauth2(KeycloakTokens.user(user)).contentType(ContentType.JSON)
                .body(Map.of("amount", amount, "idempotencyKey", key))
                .post("/api/v1/offerings/" + offeringId + "/contributions");
    }

    /** Moves closesAt into the past (the tests' time travel; the window's rules are tested on their own). */
    public static void expire(Pool pool, String offeringId) {
        pool.preparedQuery("UPDATE offering SET closes_at = now() - interval '1 second' WHERE id = $1")
                .execute(Tuple.of(offeringId)).await().indefinitely();
    }

    public static Response close(String offeringId) {
        return given().auth().oauth2(KeycloakTokens.user("op")).post("/api/v1/offerings/" + offeringId + "/close");
    }

    /** Base units of one ledger account (balance, available). */
    public static Account account(LedgerProbe ledger, String owner, String token, AccountKind kind) {
        return ledger.blocking().getAccount(GetAccountRequest.newBuilder().setToken(token)
                .setAccount(LedgerProbe.account(owner, kind)).build());
    }

    public static BigInteger units(String decimal) {
        return Amount.parse(Token.FLOCK, decimal).units();
    }

    public static BigInteger balance(LedgerProbe ledger, String owner, String token, AccountKind kind) {
        String b = account(ledger, owner, token, kind).getBalance();
        return new BigDecimal(b).movePointRight(18).toBigIntegerExact();
    }

    public static BigInteger held(LedgerProbe ledger, String owner, String token, AccountKind kind) {
        String b = account(ledger, owner, token, kind).getPendingDebits();
        return new BigDecimal(b).movePointRight(18).toBigIntegerExact();
    }

    public static BigInteger whole(long n) {
        return BigInteger.valueOf(n).multiply(BigInteger.TEN.pow(18));
    }
}
