package io.fomo.rmo.web;

import static io.fomo.rmo.support.RmoFixtures.*;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.fomo.rmo.close.CloseJob;
import io.fomo.rmo.support.RmoFixtures;
import io.fomo.shared.ops.StuckWork;
import io.fomo.testkit.KeycloakTokens;
import io.fomo.testkit.ServiceProcessResource;
import io.fomo.testkit.TestDatabase;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;

/**
 * Issue #17 on rmo: documented maxima on every input (400 with a clear code, nothing written), amounts only as JSON
 * strings, unknown fields refused, a symbol race answering 409 SYMBOL_TAKEN, and the scheduled close isolating each
 * offering (a poison row is reported through StuckWork while every other offering closes).
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = ServiceProcessResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "service", value = "treasury"))
class InputBoundsQuarkusTest {

    @Inject
    Pool pool;

    @Inject
    StuckWork stuck;

    List<Long> counts() {
        return writtenRows(pool);
    }

    static Map<String, Object> registration() {
        return RmoFixtures.registration(host().baseUrl());
    }

    static Response register(Map<String, Object> body) {
        return given().auth().oauth2(KeycloakTokens.user("alice")).contentType(ContentType.JSON).body(body)
                .post("/api/v1/deployments");
    }

    static Response registerRaw(String json) {
        return given().auth().oauth2(KeycloakTokens.user("alice")).contentType(ContentType.JSON).body(json)
                .post("/api/v1/deployments");
    }

    static Map<String, Object> with(Map<String, Object> base, String field, Object value) {
        Map<String, Object> m = new HashMap<>(base);
        m.put(field, value);
        return m;
    }

    @Test
    void deploymentBoundsAnswer400AndWriteNothing() {
        List<Long> before = counts();
        register(with(registration(), "inputPricePerMillion", "1000000.000001")).then().statusCode(400)
                .contentType("application/problem+json").body("code", equalTo("PRICE_TOO_HIGH"));
        register(with(with(registration(), "outputPricePerMillion", "1" + "0".repeat(30)), "outputCostPerMillion", "1"))
                .then().statusCode(400).body("code", equalTo("PRICE_TOO_HIGH"));
        register(with(registration(), "displayName", "x".repeat(201))).then().statusCode(400)
                .body("code", equalTo("INVALID_DISPLAY_NAME"));
        register(with(registration(), "modelId", "m".repeat(201))).then().statusCode(400)
                .body("code", equalTo("INVALID_MODEL_ID"));
        register(with(registration(), "baseUrl", "http://h/" + "p".repeat(600))).then().statusCode(400)
                .body("code", equalTo("INVALID_BASE_URL"));
        register(with(registration(), "idempotencyKey", "k".repeat(129))).then().statusCode(400)
                .body("code", equalTo("INVALID_IDEMPOTENCY_KEY"));
        // amounts are JSON strings only (SPEC §2)
        String asNumber = "{\"displayName\":\"Qwen\",\"modelId\":\"" + MODEL + "\",\"baseUrl\":\"" + host().baseUrl()
                + "\",\"inputPricePerMillion\":0.5,\"outputPricePerMillion\":\"1.50\",\"inputCostPerMillion\":\"0.20\","
                + "\"outputCostPerMillion\":\"0.60\",\"idempotencyKey\":\"" + UUID.randomUUID() + "\"}";
        registerRaw(asNumber).then().statusCode(400).body("code", equalTo("INVALID_AMOUNT"));
        // an unknown field is refused, not ignored
        register(with(registration(), "inputPrice", "0.5")).then().statusCode(400)
                .body("code", equalTo("MALFORMED_REQUEST"));
        // page sizes and ids
        given().get("/api/v1/deployments?limit=1001").then().statusCode(400).body("code", equalTo("INVALID_LIMIT"));
        given().get("/api/v1/deployments?limit=0").then().statusCode(400).body("code", equalTo("INVALID_LIMIT"));
        given().get("/api/v1/deployments?after=" + "a".repeat(200)).then().statusCode(400)
                .body("code", equalTo("INVALID_AFTER"));
        given().get("/api/v1/deployments/" + "d".repeat(65)).then().statusCode(400).body("code", equalTo("INVALID_ID"));
        given().auth().oauth2(KeycloakTokens.user("alice")).post("/api/v1/deployments/" + "d".repeat(65)
                + "/hosting-checks").then().statusCode(400).body("code", equalTo("INVALID_ID"));
        assertThat(counts()).isEqualTo(before);
        // the maximum itself is accepted
        register(with(with(registration(), "inputPricePerMillion", "1000000"), "outputPricePerMillion", "1000000"))
                .then().statusCode(201).body("inputPricePerMillion", equalTo("1000000"));
    }

    @Test
    void offeringBoundsAnswer400AndWriteNothing() {
        String deployment = registerDeployment("alice", host().baseUrl());
        List<Long> before = counts();
        // the lpLock, and every other duration
        createOffering(deployment, symbol(), "0.25", Map.of("lpLock", Map.of("duration", "P200000000D")))
                .then().statusCode(400).body("code", equalTo("DURATION_TOO_LONG"));
        createOffering(deployment, symbol(), "0.25", Map.of("lpLock", Map.of("duration", "P3651D")))
                .then().statusCode(400).body("code", equalTo("DURATION_TOO_LONG"));
        createOffering(deployment, symbol(), "0.25", Map.of("vesting", Map.of("cliff", "P3651D")))
                .then().statusCode(400).body("code", equalTo("DURATION_TOO_LONG"));
        createOffering(deployment, symbol(), "0.25", Map.of("vesting", Map.of("duration", "P99999999999999999D")))
                .then().statusCode(400).body("code", equalTo("INVALID_DURATION"));
        createOffering(deployment, symbol(), "0.25", Map.of("vesting", Map.of("duration", "-P1D")))
                .then().statusCode(400).body("code", equalTo("INVALID_DURATION"));
        // prices: the offering's P and its amounts
        createOffering(deployment, symbol(), "1000000.000000000000000001", Map.of()).then().statusCode(400)
                .body("code", equalTo("PRICE_TOO_HIGH"));
        createOffering(deployment, symbol(), "1" + "0".repeat(30), Map.of()).then().statusCode(400)
                .body("code", equalTo("INVALID_AMOUNT"));
        // dates within range
        createOffering(deployment, symbol(), "0.25", Map.of("closesAt", "+200000-01-01T00:00:00Z")).then()
                .statusCode(400);
        createOffering(deployment, symbol(), "0.25", Map.of("closesAt", Instant.now().plus(Duration.ofDays(366)).toString()))
                .then().statusCode(400).body("code", equalTo("INVALID_WINDOW"));
        createOffering(deployment, symbol(), "0.25", Map.of("opensAt", Instant.now().minus(Duration.ofDays(2)).toString()))
                .then().statusCode(400).body("code", equalTo("INVALID_WINDOW"));
        createOffering(deployment, symbol(), "0.25", Map.of("opensAt", "0000-01-01T00:00:00Z")).then().statusCode(400);
        // strings and ids
        createOffering("d".repeat(65), symbol(), "0.25", Map.of()).then().statusCode(400)
                .body("code", equalTo("INVALID_DEPLOYMENT_ID"));
        createOffering(deployment, "ABCDEFGHIJKLM", "0.25", Map.of()).then().statusCode(400)
                .body("code", equalTo("INVALID_SYMBOL"));
        // amounts only as JSON strings
        createOffering(deployment, symbol(), "0.25", Map.of("softCap", 100)).then().statusCode(400)
                .body("code", equalTo("INVALID_AMOUNT"));
        given().auth().oauth2(KeycloakTokens.user("alice")).contentType(ContentType.JSON)
                .body(Map.of("deploymentId", deployment, "symbol", symbol(), "price", 0.25, "opensAt",
                        Instant.now().toString(), "closesAt", Instant.now().plusSeconds(600).toString(),
                        "idempotencyKey", UUID.randomUUID().toString()))
                .post("/api/v1/offerings").then().statusCode(400).body("code", equalTo("INVALID_AMOUNT"));
        // a fractional percentage and an unknown field
        createOffering(deployment, symbol(), "0.25", Map.of("allocation", Map.of("sale", 40.5, "liquidity", 19.5,
                "incentives", 20, "operator", 10, "treasury", 10))).then().statusCode(400);
        createOffering(deployment, symbol(), "0.25", Map.of("softcap", "1")).then().statusCode(400)
                .body("code", equalTo("MALFORMED_REQUEST"));
        given().get("/api/v1/offerings?limit=100000").then().statusCode(400).body("code", equalTo("INVALID_LIMIT"));
        for (String action : List.of("open", "cancel", "close")) {
            given().auth().oauth2(KeycloakTokens.user("op")).post("/api/v1/offerings/" + "o".repeat(65) + "/" + action)
                    .then().statusCode(400).body("code", equalTo("INVALID_ID"));
        }
        contribute("bob", "o".repeat(65), "1", "k1").then().statusCode(400).body("code", equalTo("INVALID_ID"));
        given().auth().oauth2(KeycloakTokens.user("bob")).contentType(ContentType.JSON)
                .body("{\"amount\":100,\"idempotencyKey\":\"k2\"}")
                .post("/api/v1/offerings/" + UUID.randomUUID() + "/contributions").then().statusCode(400)
                .body("code", equalTo("INVALID_AMOUNT"));
        assertThat(counts()).isEqualTo(before);
        // the maxima themselves are accepted
        createOffering(deployment, symbol(), "1000000", Map.of("lpLock", Map.of("duration", "P3650D"),
                "vesting", Map.of("cliff", "P3650D", "duration", "P3650D"),
                "closesAt", Instant.now().plus(Duration.ofDays(364)).toString())).then().statusCode(201)
                .body("lpLock.duration", equalTo("PT87600H"));
    }

    /** Two offerings with the same symbol created at once: one 201, the other 409 SYMBOL_TAKEN (5 rounds). */
    /** Issue #19 "an offering with zero liquidity is refused": every offering must seed its pool; 400, nothing written. */
    @Test
    void anOfferingThatWouldSeedNoPoolIsRefused() {
        String deployment = registerDeployment("alice", host().baseUrl());
        List<Long> before = counts();
        createOffering(deployment, symbol(), "0.25", Map.of("allocation", Map.of("sale", 60, "liquidity", 0,
                "incentives", 20, "operator", 10, "treasury", 10))).then().statusCode(400)
                .contentType("application/problem+json").body("code", equalTo("INVALID_ALLOCATION"))
                .body("detail", containsString("seed its pool"));
        createOffering(deployment, symbol(), "0.25", Map.of("useOfFunds", Map.of("liquidity", 0, "staking", 80,
                "protocol", 20))).then().statusCode(400).contentType("application/problem+json")
                .body("code", equalTo("INVALID_USE_OF_FUNDS")).body("detail", containsString("seed its pool"));
        createOffering(deployment, symbol(), "0.25", Map.of("allocation", Map.of("sale", 60, "liquidity", 0,
                "incentives", 20, "operator", 10, "treasury", 10), "useOfFunds", Map.of("liquidity", 0, "staking", 80,
                "protocol", 20))).then().statusCode(400).body("code", equalTo("INVALID_ALLOCATION"));
        // liquidity 1% of a raise of at least ceil(M / 2): the pool's FLOCK rounds to 0 below M = 199 base units
        createOffering(deployment, symbol(), "0.25", Map.of("softCap", "0.000000000000000198", "useOfFunds",
                Map.of("liquidity", 1, "staking", 79, "protocol", 20))).then().statusCode(400)
                .contentType("application/problem+json").body("code", equalTo("INVALID_SOFT_CAP"))
                .body("detail", containsString("at least 0.000000000000000199 FLOCK"));
        assertThat(counts()).isEqualTo(before);
        createOffering(deployment, symbol(), "0.25", Map.of("softCap", "0.000000000000000199", "useOfFunds",
                Map.of("liquidity", 1, "staking", 79, "protocol", 20))).then().statusCode(201);
    }

    @Test
    void aSymbolRaceAnswers409() throws Exception {
        ExecutorService pool2 = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 5; round++) {
                String a = registerDeployment("alice", host().baseUrl());
                String b = registerDeployment("alice", host().baseUrl());
                String sym = symbol();
                List<Callable<Response>> both = List.of(() -> createOffering(a, sym, "0.25", Map.of()),
                        () -> createOffering(b, sym, "0.25", Map.of()));
                List<Integer> statuses = new ArrayList<>();
                List<String> codes = new ArrayList<>();
                for (Future<Response> f : pool2.invokeAll(both)) {
                    Response r = f.get();
                    statuses.add(r.statusCode());
                    if (r.statusCode() != 201) {
                        codes.add(r.path("code"));
                    }
                }
                assertThat(statuses).as("round %d", round).containsExactlyInAnyOrder(201, 409);
                assertThat(codes).containsExactly("SYMBOL_TAKEN");
                // the loser's deployment is still free
                long free = pool.preparedQuery("SELECT count(*) FROM deployment WHERE id IN ($1, $2) AND state = 'REGISTERED'")
                        .execute(Tuple.of(a, b)).await().indefinitely().iterator().next().getLong(0);
                assertThat(free).isEqualTo(1);
            }
        } finally {
            pool2.shutdownNow();
        }
    }

    /** A poison offering is reported (StuckWork, GET /api/v1/ops/stuck) and every other due offering still closes. */
    @Test
    void aPoisonOfferingDoesNotStopTheOthersClose() {
        String poisonDeployment = UUID.randomUUID().toString();
        String poison = UUID.randomUUID().toString();
        pool.preparedQuery("""
                INSERT INTO deployment (id, owner_id, display_name, model_id, base_url, input_price, output_price,
                  input_cost, output_cost, state, created_at)
                VALUES ($1, 'someone', 'x', 'm', 'http://127.0.0.1:1', 1, 1, 0, 0, 'OFFERING', now())""")
                .execute(Tuple.of(poisonDeployment)).await().indefinitely();
        // a close in a phase no code knows: every attempt throws
        pool.preparedQuery("""
                INSERT INTO offering (id, deployment_id, owner_id, symbol, price, opens_at, closes_at, supply, sale_quantity,
                  hard_cap, soft_cap, alloc_sale, alloc_liquidity, alloc_incentives, alloc_operator, alloc_treasury,
                  uof_liquidity, uof_staking, uof_protocol, vesting_cliff_s, vesting_duration_s, lp_lock_s, state,
                  created_at, close_phase, close_started_at)
                VALUES ($1, $2, 'someone', $3, 1, now() - interval '2 hours', now() - interval '1 hour', 1, 1, 1, 1,
                  40, 20, 20, 10, 10, 50, 30, 20, 0, 0, 0, 'OPEN', now() - interval '3 hours', 'POISON', now())""")
                .execute(Tuple.of(poison, poisonDeployment, symbol())).await().indefinitely();
        try {
            List<String> good = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String[] ids = openOffering(symbol(), "0.25", Map.of());
                expire(pool, ids[1]);
                good.add(ids[1]);
            }
            // no operator call: the scheduler closes them (no contributions: FAILED, the deployment freed)
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                for (String id : good) {
                    given().get("/api/v1/offerings/" + id).then().body("state", equalTo("FAILED"))
                            .body("close.phase", equalTo("DONE"));
                }
                assertThat(stuck.isStuck(CloseJob.JOB, poison)).isTrue();
            });
            for (String id : good) {
                assertThat(stuck.isStuck(CloseJob.JOB, id)).isFalse();
            }
            given().auth().oauth2(KeycloakTokens.user("op")).get("/api/v1/ops/stuck").then().statusCode(200)
                    .body("items.find { it.key == '" + poison + "' }.job", equalTo(CloseJob.JOB))
                    .body("items.find { it.key == '" + poison + "' }.reason", org.hamcrest.Matchers.containsString("POISON"));
        } finally {
            // repaired: the next run clears it
            pool.preparedQuery("UPDATE offering SET close_phase = 'DONE', state = 'FAILED' WHERE id = $1")
                    .execute(Tuple.of(poison)).await().indefinitely();
        }
    }
}
