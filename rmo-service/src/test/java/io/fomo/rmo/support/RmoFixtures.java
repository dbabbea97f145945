package io.fomo.rmo.support;

import static io.restassured.RestAssured.given;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
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

/**
 * Helpers shared by the rmo tests: one model host serving {@link #MODEL}, REST calls with real tokens, the real ledger,
 * what rmo has written, and database time travel.
 */
public final class RmoFixtures {

    public static final String MODEL = "Qwen/Qwen3-32B";

    /** Every table a refused request must leave as it was: rmo's own, the idempotency keys and the outbox. */
    public static final List<String> WRITTEN_TABLES = List.of("deployment", "hosting_check", "offering", "contributor",
            "contribution", "vesting", "vesting_claim", "deployment_price", "fomo_idempotency", "fomo_outbox");

    private static OpenAiStandIn host;

    private RmoFixtures() {
    }

    /** The tests' model host (OpenAI stand-in serving {@link #MODEL}), started once and stopped with the JVM. */
    public static synchronized OpenAiStandIn host() {
        if (host == null) {
            OpenAiStandIn started = OpenAiStandIn.start(MODEL);
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "rmo-test-model-host"));
            host = started;
        }
        return host;
    }

    /** The row count of every table in {@link #WRITTEN_TABLES}, in that order: one comparable snapshot. */
    public static List<Long> writtenRows(Pool pool) {
        List<Long> out = new ArrayList<>();
        for (String table : WRITTEN_TABLES) {
            out.add(pool.query("SELECT count(*) FROM " + table).execute().await().indefinitely().iterator().next().getLong(0));
        }
        return out;
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

    /** A valid registration of {@link #MODEL} at {@code baseUrl} under a fresh idempotency key (a mutable map). */
    public static Map<String, Object> registration(String baseUrl) {
        Map<String, Object> body = new HashMap<>();
        body.put("displayName", "Qwen");
        body.put("modelId", MODEL);
        body.put("baseUrl", baseUrl);
        body.put("inputPricePerMillion", "0.50");
        body.put("outputPricePerMillion", "1.50");
        body.put("inputCostPerMillion", "0.20");
        body.put("outputCostPerMillion", "0.60");
        body.put("idempotencyKey", UUID.randomUUID().toString());
        return body;
    }

    public static String registerDeployment(String owner, String baseUrl) {
        Map<String, Object> body = registration(baseUrl);
        body.put("displayName", "Qwen by " + owner);
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

    /** Registers (on {@link #host()}), checks hosting, creates and opens an offering; returns {deploymentId, offeringId}. */
    public static String[] openOffering(String symbol, String price, Map<String, Object> extra) {
        String deployment = registerDeployment("alice", host().baseUrl());
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

    /**
     * A LIVE deployment of {@code owner} hosted at {@code baseUrl}: registered through the API, then made LIVE in the
     * database as the close's FINISH does (the close itself is tested in the offering tests; issue #22's tests start
     * from a live deployment). Its re-check is not due for an hour.
     */
    public static String liveDeployment(Pool pool, String owner, String baseUrl) {
        String id = registerDeployment(owner, baseUrl);
        String symbol = symbol();
        pool.preparedQuery("""
                UPDATE deployment SET state = 'LIVE', live_at = now(), symbol = $2, pool_id = $3,
                  next_check_at = now() + interval '1 hour' WHERE id = $1""")
                .execute(Tuple.of(id, symbol, symbol + "-FLOCK")).await().indefinitely();
        return id;
    }

    /**
     * Makes the deployment's scheduled re-check due now, and only its: other tests' live deployments that are due are
     * moved an hour ahead, so a pass checks this one whatever the database holds.
     */
    public static void dueNow(Pool pool, String deploymentId) {
        pool.preparedQuery("""
                UPDATE deployment SET next_check_at = now() + interval '1 hour' WHERE id <> $1
                  AND state IN ('LIVE', 'SUSPENDED') AND (next_check_at IS NULL OR next_check_at <= now())""")
                .execute(Tuple.of(deploymentId)).await().indefinitely();
        pool.preparedQuery("UPDATE deployment SET next_check_at = now() - interval '1 second' WHERE id = $1")
                .execute(Tuple.of(deploymentId)).await().indefinitely();
    }

    /** One column of the deployment's row. */
    public static Object column(Pool pool, String deploymentId, String column) {
        return pool.preparedQuery("SELECT " + column + " FROM deployment WHERE id = $1").execute(Tuple.of(deploymentId))
                .await().indefinitely().iterator().next().getValue(0);
    }

    /** The outbox's events of a type for one deployment, in order: their payloads as JSON. */
    public static List<io.vertx.core.json.JsonObject> outboxEvents(Pool pool, String type, String deploymentId) {
        List<io.vertx.core.json.JsonObject> out = new ArrayList<>();
        pool.preparedQuery("SELECT envelope FROM fomo_outbox WHERE type = $1 AND event_id LIKE $2 ORDER BY id")
                .execute(Tuple.of(type, type + ":" + deploymentId + ":%")).await().indefinitely()
                .forEach(r -> out.add(new io.vertx.core.json.JsonObject(r.getString(0)).getJsonObject("payload")));
        return out;
    }
}
