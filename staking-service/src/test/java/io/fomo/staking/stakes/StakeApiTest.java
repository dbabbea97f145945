package io.fomo.staking.stakes;

import static io.fomo.staking.testing.Fixtures.available;
import static io.fomo.staking.testing.Fixtures.ref;
import static io.fomo.staking.testing.Fixtures.subject;
import static io.fomo.staking.testing.Fixtures.user;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.fomo.grpc.treasury.v1.AccountKind;
import io.fomo.grpc.treasury.v1.LedgerGrpc;
import io.fomo.shared.db.Db;
import io.fomo.shared.events.types.DeploymentLive;
import io.fomo.staking.testing.Fixtures;
import io.fomo.staking.testing.StakingQuarkusBase;
import io.fomo.staking.deployments.LiveDeploymentsConsumer;
import io.fomo.staking.stakes.UnbondingService;
import io.fomo.testkit.KeycloakTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;

/** Stake and unstake over REST against the real ledger: idempotency, refusals that move nothing, unbonding exactly once, SPEC §8. */
@QuarkusTest
class StakeApiTest extends StakingQuarkusBase {

    @Inject
    LiveDeploymentsConsumer deployments;

    @Inject
    UnbondingService releaser;

    @Inject
    Db db;

    LedgerGrpc.LedgerBlockingStub ledger;
    String bob;
    Fixtures.Model model;

    @BeforeEach
    void launch() throws Throwable {
        ledger = Fixtures.asService(client);
        bob = subject("bob");
        model = Fixtures.launch(ledger, List.<String[]>of(new String[] { bob, "1000" }), null, null, null);
        DeploymentLive live = new DeploymentLive(model.deploymentId(), model.symbol(), "alice", "m", "1", "1", "0.5", "0.5",
                Instant.now(), DeploymentLive.poolIdOf(model.symbol()), "o", Instant.now());
        // The consumer's effect called directly (RewardsEndToEndQuarkusTest goes through RabbitMQ).
        VertxContextSupport.subscribeAndAwait(() -> db.transaction(tx -> deployments.apply(tx, live)));
    }

    static ValidatableResponse post(String who, String path, Map<String, Object> body) {
        var request = given().contentType(ContentType.JSON).body(body);
        if (who != null) {
            request = request.auth().oauth2(who.startsWith("service:") ? KeycloakTokens.service(who.substring(8)) : KeycloakTokens.user(who));
        }
        return request.post(path).then();
    }

    Map<String, Object> body(String amount, String key) {
        Map<String, Object> b = new HashMap<>();
        b.put("deploymentId", model.deploymentId());
        b.put("amount", amount);
        b.put("idempotencyKey", key);
        return b;
    }

    String mt(AccountKind kind) {
        return available(ledger, ref(bob, kind), model.symbol());
    }

    long opCount() {
        return pool.preparedQuery("SELECT count(*) FROM stake_op WHERE deployment_id = $1").execute(Tuple.of(model.deploymentId()))
                .await().indefinitely().iterator().next().getLong(0);
    }

    @Test
    void stakeIsIdempotentByKey() {
        String key = "k-" + UUID.randomUUID();
        String id = post("bob", "/api/v1/stakes", body("250.5", key)).statusCode(201)
                .body("state", equalTo("DONE")).body("staked", equalTo("250.5")).extract().path("id");
        post("bob", "/api/v1/stakes", body("250.5", key)).statusCode(201).body("id", equalTo(id)).body("staked", equalTo("250.5"));
        post("bob", "/api/v1/stakes", body("250.50", key)).statusCode(201).body("id", equalTo(id));
        post("bob", "/api/v1/stakes", body("251", key)).statusCode(409).body("code", equalTo("IDEMPOTENCY_KEY_REUSED"));
        assertThat(mt(AccountKind.ACCOUNT_KIND_STAKING_CUSTODY)).isEqualTo("250.5");
        assertThat(mt(AccountKind.ACCOUNT_KIND_USER)).isEqualTo("749.5");

        String unKey = "u-" + UUID.randomUUID();
        post("bob", "/api/v1/unstakes", body("50.5", unKey)).statusCode(201).body("staked", equalTo("200"));
        post("bob", "/api/v1/unstakes", body("50.5", unKey)).statusCode(201).body("staked", equalTo("200"));
        assertThat(mt(AccountKind.ACCOUNT_KIND_STAKING_CUSTODY)).isEqualTo("200");
        assertThat(mt(AccountKind.ACCOUNT_KIND_UNBONDING)).isEqualTo("50.5");
        assertThat(opCount()).isEqualTo(2);
    }

    /** Eight concurrent requests under one key: one operation, one transfer, the same answer for all. */
    @Test
    void concurrentRequestsWithOneKeyStakeOnce() throws Exception {
        String key = "c-" + UUID.randomUUID();
        String token = KeycloakTokens.user("bob");
        var executor = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<String>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                answers.add(executor.submit(() -> given().auth().oauth2(token).contentType(ContentType.JSON).body(body("10", key))
                        .post("/api/v1/stakes").then().statusCode(201).extract().<String>path("id")));
            }
            java.util.Set<String> ids = new java.util.HashSet<>();
            for (var answer : answers) {
                ids.add(answer.get(60, java.util.concurrent.TimeUnit.SECONDS));
            }
            assertThat(ids).hasSize(1);
        } finally {
            executor.shutdownNow();
        }
        assertThat(mt(AccountKind.ACCOUNT_KIND_STAKING_CUSTODY)).isEqualTo("10");
        assertThat(mt(AccountKind.ACCOUNT_KIND_USER)).isEqualTo("990");
        assertThat(opCount()).isEqualTo(1);
        assertThat(pool.preparedQuery("SELECT sequence FROM stake_position WHERE user_id = $1 AND deployment_id = $2")
                .execute(Tuple.of(bob, model.deploymentId())).await().indefinitely().iterator().next().getLong(0)).isEqualTo(1);
    }

    @Test
    void refusalsMoveNothingAndKeepNothing() {
        String key = "bad-" + UUID.randomUUID();
        for (String amount : new String[] { "0", "-1", "1.0000000000000000001", "abc", "1e3", " 1", "" }) {
            post("bob", "/api/v1/stakes", body(amount, key)).statusCode(400).body("code", equalTo("INVALID_AMOUNT"));
        }
        Map<String, Object> noAmount = body(null, key);
        post("bob", "/api/v1/stakes", noAmount).statusCode(400).body("code", equalTo("INVALID_AMOUNT"));
        post("bob", "/api/v1/stakes", body("1", null)).statusCode(400).body("code", equalTo("INVALID_IDEMPOTENCY_KEY"));
        Map<String, Object> unknown = body("1", key);
        unknown.put("deploymentId", UUID.randomUUID().toString());
        post("bob", "/api/v1/stakes", unknown).statusCode(409).body("code", equalTo("DEPLOYMENT_NOT_LIVE"));
        // More MT than bob has: the ledger's balance decides; nothing moved, nothing recorded.
        post("bob", "/api/v1/stakes", body("1000.000000000000000001", key)).statusCode(409).body("code", equalTo("INSUFFICIENT_BALANCE"));
        post("bob", "/api/v1/unstakes", body("1", key)).statusCode(409).body("code", equalTo("INSUFFICIENT_STAKE"));
        assertThat(mt(AccountKind.ACCOUNT_KIND_USER)).isEqualTo("1000");
        assertThat(mt(AccountKind.ACCOUNT_KIND_STAKING_CUSTODY)).isEqualTo("0");
        assertThat(opCount()).isZero();
        // The key was not spent by the refusals: a good request under it now succeeds.
        post("bob", "/api/v1/stakes", body("1000", key)).statusCode(201).body("discountBps", equalTo(500));
        assertThat(mt(AccountKind.ACCOUNT_KIND_USER)).isEqualTo("0");
    }

    @Test
    void unbondingIsNotSpendableNorDiscountedAndReturnsExactlyOnce() throws Throwable {
        post("bob", "/api/v1/stakes", body("1000", "s-" + UUID.randomUUID())).statusCode(201).body("discountBps", equalTo(500));
        String unId = post("bob", "/api/v1/unstakes", body("400", "u-" + UUID.randomUUID())).statusCode(201)
                .body("discountBps", equalTo(0)).body("staked", equalTo("600")).extract().path("id");
        var me = given().auth().oauth2(KeycloakTokens.user("bob")).get("/api/v1/stakes/me").then().statusCode(200).extract().jsonPath();
        List<Map<String, Object>> stakes = me.getList("stakes");
        Map<String, Object> mine = stakes.stream().filter(s -> model.deploymentId().equals(s.get("deploymentId"))).findFirst().orElseThrow();
        assertThat(mine.get("staked")).isEqualTo("600");
        assertThat(mine.get("unbonding")).isEqualTo("400");
        assertThat(mine.get("discountBps")).isEqualTo(0);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> unbondings = (List<Map<String, Object>>) mine.get("unbondings");
        assertThat(unbondings).hasSize(1);
        assertThat(unbondings.get(0).get("releaseAt")).isNotNull();
        // Not spendable while unbonding.
        assertThat(mt(AccountKind.ACCOUNT_KIND_USER)).isEqualTo("0");
        assertThat(mt(AccountKind.ACCOUNT_KIND_UNBONDING)).isEqualTo("400");

        // The scheduler returns it at maturity (3 s in the test profile).
        await().atMost(Duration.ofSeconds(20)).until(() -> "RELEASED".equals(unbondingState(unId)));
        assertThat(mt(AccountKind.ACCOUNT_KIND_USER)).isEqualTo("400");
        assertThat(mt(AccountKind.ACCOUNT_KIND_UNBONDING)).isEqualTo("0");

        // A crash after the ledger call and before recording it (as after a restart): the row is taken over after its
        // lease and the ledger answers the same id as a replay: the MT returns exactly once.
        pool.preparedQuery("UPDATE unbonding SET state = 'RELEASING', claimed_until = now() - interval '1 second' WHERE id = $1")
                .execute(Tuple.of(unId)).await().indefinitely();
        VertxContextSupport.subscribeAndAwait(() -> releaser.releaseDue(100));
        await().atMost(Duration.ofSeconds(20)).until(() -> "RELEASED".equals(unbondingState(unId)));
        assertThat(mt(AccountKind.ACCOUNT_KIND_USER)).isEqualTo("400");
        assertThat(mt(AccountKind.ACCOUNT_KIND_UNBONDING)).isEqualTo("0");
        assertThat(mt(AccountKind.ACCOUNT_KIND_STAKING_CUSTODY)).isEqualTo("600");
    }

    /** A request that died after recording its intent (before the ledger call): the resumer completes it once. */
    @Test
    void aStakeLeftPendingIsCompletedByTheResumer() {
        String opId = "stake:" + UUID.randomUUID();
        pool.preparedQuery("""
                INSERT INTO stake_op (id, kind, user_id, deployment_id, amount, state, idem_scope, idem_key, created_at)
                VALUES ($1, 'STAKE', $2, $3, 300000000000000000000, 'PENDING', $4, $5, now() - interval '1 minute')""")
                .execute(Tuple.of(opId, bob, model.deploymentId(), "stake:" + bob, "crash-" + opId)).await().indefinitely();
        await().atMost(Duration.ofSeconds(20)).until(() -> "DONE".equals(pool.preparedQuery("SELECT state FROM stake_op WHERE id = $1")
                .execute(Tuple.of(opId)).await().indefinitely().iterator().next().getString(0)));
        assertThat(mt(AccountKind.ACCOUNT_KIND_STAKING_CUSTODY)).isEqualTo("300");
        assertThat(mt(AccountKind.ACCOUNT_KIND_USER)).isEqualTo("700");
        given().auth().oauth2(KeycloakTokens.user("bob")).get("/api/v1/stakes/me").then().statusCode(200);
        assertThat(pool.preparedQuery("SELECT count(*) FROM stake_change WHERE op_id = $1").execute(Tuple.of(opId))
                .await().indefinitely().iterator().next().getLong(0)).isEqualTo(1);
    }

    String unbondingState(String id) {
        return text("SELECT state FROM unbonding WHERE id = $1", id);
    }

    /** SPEC §8: anonymous 401; a service token (no role user) 403; a user acts and reads only as themself. */
    @Test
    void authMatrix() {
        Map<String, Object> stake = body("1", "a-" + UUID.randomUUID());
        Map<String, Object> claim = Map.of("idempotencyKey", "a-" + UUID.randomUUID());
        for (String who : new String[] { null, "service:api-platform", "service:staking-service" }) {
            int expected = who == null ? 401 : 403;
            post(who, "/api/v1/stakes", stake).statusCode(expected);
            post(who, "/api/v1/unstakes", stake).statusCode(expected);
            post(who, "/api/v1/rewards/claims", claim).statusCode(expected);
            var get = given();
            if (who != null) {
                get = get.auth().oauth2(KeycloakTokens.service(who.substring(8)));
            }
            get.get("/api/v1/stakes/me").then().statusCode(expected);
            (who == null ? given() : given().auth().oauth2(KeycloakTokens.service(who.substring(8)))).get("/api/v1/rewards/me").then().statusCode(expected);
        }
        assertThat(mt(AccountKind.ACCOUNT_KIND_USER)).isEqualTo("1000");
        // A user reads only themself: carol's view holds nothing of bob's stake.
        post("bob", "/api/v1/stakes", stake).statusCode(201);
        given().auth().oauth2(KeycloakTokens.user("carol")).get("/api/v1/stakes/me").then().statusCode(200)
                .body("userId", equalTo(subject("carol")));
        assertThat(given().auth().oauth2(KeycloakTokens.user("carol")).get("/api/v1/stakes/me").then().extract().jsonPath()
                .getList("stakes.deploymentId")).doesNotContain(model.deploymentId());
        // Carol cannot unstake bob's stake: her own stake of it is zero.
        post("carol", "/api/v1/unstakes", stake).statusCode(409).body("code", equalTo("INSUFFICIENT_STAKE"));
        assertThat(user(bob)).isNotNull();
    }
}
