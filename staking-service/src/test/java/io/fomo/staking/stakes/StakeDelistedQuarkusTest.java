package io.fomo.staking.stakes;

import static io.fomo.staking.testing.Fixtures.available;
import static io.fomo.staking.testing.Fixtures.ref;
import static io.fomo.staking.testing.Fixtures.subject;
import static io.fomo.staking.testing.Fixtures.user;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.math.BigDecimal;
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
import io.fomo.shared.events.types.DeploymentLive;
import io.fomo.shared.events.types.DeploymentStatusChanged;
import io.fomo.staking.deployments.DeploymentStatusConsumer;
import io.fomo.staking.testing.Fixtures;
import io.fomo.staking.testing.StakingQuarkusBase;
import io.fomo.testkit.KeycloakTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;

/**
 * SPEC §7a, issue #22, through RabbitMQ and the real ledger: after rmo's DELISTING a deployment takes no new stake
 * (409 DEPLOYMENT_DELISTED, nothing written, nothing moved), while unstaking, the unbonding release and reward claims
 * keep working ("its MT, pool and stakes remain"); SUSPENDED changes nothing; an older status never undoes a newer one;
 * a status before its DeploymentLive waits for it.
 */
@QuarkusTest
class StakeDelistedQuarkusTest extends StakingQuarkusBase {

    static final Duration WAIT = Duration.ofSeconds(60);

    LedgerGrpc.LedgerBlockingStub ledger;
    String bob;
    Fixtures.Model model;

    @BeforeEach
    void launch() {
        ledger = Fixtures.asService(client);
        bob = subject("bob");
        model = Fixtures.launch(ledger, List.<String[]>of(new String[] { bob, "1000" }), null, null, "5");
        live(model.deploymentId(), model.symbol());
        await().atMost(WAIT).until(() -> count("SELECT count(*) FROM deployment WHERE id = $1", model.deploymentId()) == 1);
    }

    void live(String deploymentId, String symbol) {
        events.publish("DeploymentLive:" + deploymentId, new DeploymentLive(deploymentId, symbol, "alice", "m", "1", "1",
                "0.5", "0.5", Instant.now(), DeploymentLive.poolIdOf(symbol), "o", Instant.now()));
    }

    void status(String deploymentId, String status, long version, Long lastEpoch) {
        String eventId = DeploymentStatusChanged.eventIdOf(deploymentId, version);
        events.publish(eventId, new DeploymentStatusChanged(deploymentId, status, version, "test", Instant.now(), lastEpoch));
        await().atMost(WAIT).until(() -> count("SELECT count(*) FROM fomo_inbox WHERE consumer = $1 AND event_id = $2",
                DeploymentStatusConsumer.CONSUMER, eventId) == 1);
    }

    static ValidatableResponse post(String path, Map<String, Object> body) {
        return given().contentType(ContentType.JSON).body(body).auth().oauth2(KeycloakTokens.user("bob")).post(path).then();
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

    long ops() {
        return count("SELECT count(*) FROM stake_op WHERE deployment_id = $1", model.deploymentId());
    }

    @Test
    void aDelistingDeploymentTakesNoNewStakeButUnstakeUnbondingAndClaimsStillWork() {
        post("/api/v1/stakes", body("600", "s-" + UUID.randomUUID())).statusCode(201).body("staked", equalTo("600"));
        // a reward accrued before the delisting (its job DONE), paid from the deployment's STAKER_REWARDS (5 FLOCK)
        long epoch = 5_000_000L + (UUID.randomUUID().getMostSignificantBits() & 0xFFFFFFL);
        sql("""
                INSERT INTO reward_job (epoch, deployment_id, epoch_start, epoch_end, stakers_part, state, done_at)
                VALUES ($1, $2, now() - interval '1 day', now(), 5000000000000000000, 'DONE', now())""",
                epoch, model.deploymentId());
        sql("""
                INSERT INTO reward_accrual (epoch, deployment_id, user_id, weight, emission_flock, slice_flock, slice_mt)
                VALUES ($1, $2, $3, 1, 5000000000000000000, 0, 0)""", epoch, model.deploymentId(), bob);

        status(model.deploymentId(), "DELISTING", 1, null);
        assertThat(text("SELECT status FROM deployment WHERE id = $1", model.deploymentId())).isEqualTo("DELISTING");

        long opsBefore = ops();
        String refusedKey = "s-" + UUID.randomUUID();
        post("/api/v1/stakes", body("100", refusedKey)).statusCode(409).body("code", equalTo("DEPLOYMENT_DELISTED"));
        assertThat(ops()).as("nothing written").isEqualTo(opsBefore);
        assertThat(count("SELECT count(*) FROM fomo_idempotency WHERE idem_key = $1", refusedKey)).isZero();
        assertThat(mt(AccountKind.ACCOUNT_KIND_USER)).isEqualTo("400");
        assertThat(mt(AccountKind.ACCOUNT_KIND_STAKING_CUSTODY)).isEqualTo("600");

        // unstake, and the unbonding release (3 s in the test profile)
        String unId = post("/api/v1/unstakes", body("250", "u-" + UUID.randomUUID())).statusCode(201)
                .body("staked", equalTo("350")).extract().path("id");
        await().atMost(WAIT).until(() -> "RELEASED".equals(text("SELECT state FROM unbonding WHERE id = $1", unId)));
        assertThat(mt(AccountKind.ACCOUNT_KIND_USER)).isEqualTo("650");
        assertThat(mt(AccountKind.ACCOUNT_KIND_STAKING_CUSTODY)).isEqualTo("350");

        // DELISTED (billing wound it down): still no new stake, and the reward is claimed
        status(model.deploymentId(), "DELISTED", 2, 3L);
        post("/api/v1/stakes", body("1", "s-" + UUID.randomUUID())).statusCode(409).body("code", equalTo("DEPLOYMENT_DELISTED"));
        BigDecimal flockBefore = new BigDecimal(available(ledger, user(bob), "FLOCK"));
        JsonPath claim = given().auth().oauth2(KeycloakTokens.user("bob")).contentType(ContentType.JSON)
                .body(Map.of("idempotencyKey", "claim-" + UUID.randomUUID())).post("/api/v1/rewards/claims")
                .then().statusCode(201).extract().jsonPath();
        assertThat(claim.getString("state")).isEqualTo("PAID");
        assertThat(claim.getList("payouts.findAll { it.deploymentId == '" + model.deploymentId() + "' }.amount"))
                .containsExactly("5");
        assertThat(new BigDecimal(available(ledger, user(bob), "FLOCK")).subtract(flockBefore))
                .isGreaterThanOrEqualTo(new BigDecimal("5"));
        assertThat(available(ledger, ref(model.deploymentId(), AccountKind.ACCOUNT_KIND_STAKER_REWARDS), "FLOCK"))
                .isEqualTo("0");

        // the rest unstaked too
        post("/api/v1/unstakes", body("350", "u-" + UUID.randomUUID())).statusCode(201).body("staked", equalTo("0"));
    }

    @Test
    void suspendedStillTakesStakesAndAnOlderStatusNeverUndoesANewerOne() {
        status(model.deploymentId(), "SUSPENDED", 1, null);
        post("/api/v1/stakes", body("10", "s-" + UUID.randomUUID())).statusCode(201).body("staked", equalTo("10"));

        // DELISTING (v3) overtakes LIVE (v2): the late LIVE changes nothing, nor does DELISTING delivered again
        status(model.deploymentId(), "DELISTING", 3, null);
        status(model.deploymentId(), "LIVE", 2, null);
        events.publish(DeploymentStatusChanged.eventIdOf(model.deploymentId(), 3), new DeploymentStatusChanged(
                model.deploymentId(), "DELISTING", 3, "test", Instant.now(), null));
        assertThat(text("SELECT status FROM deployment WHERE id = $1", model.deploymentId())).isEqualTo("DELISTING");
        assertThat(count("SELECT status_version FROM deployment WHERE id = $1", model.deploymentId())).isEqualTo(3);
        post("/api/v1/stakes", body("10", "s-" + UUID.randomUUID())).statusCode(409).body("code", equalTo("DEPLOYMENT_DELISTED"));
    }

    @Test
    void aStatusBeforeItsDeploymentLiveWaitsForIt() {
        Fixtures.Model late = Fixtures.launch(ledger, List.<String[]>of(new String[] { bob, "10" }), null, null, null);
        String eventId = DeploymentStatusChanged.eventIdOf(late.deploymentId(), 1);
        events.publish(eventId, new DeploymentStatusChanged(late.deploymentId(), "DELISTING", 1, "test", Instant.now(), null));
        await().atMost(WAIT).until(() -> count("SELECT count(*) FROM fomo_parked_event WHERE consumer = $1 AND event_id = $2",
                DeploymentStatusConsumer.CONSUMER, eventId) == 1);
        live(late.deploymentId(), late.symbol());
        await().atMost(WAIT).until(() -> "DELISTING".equals(text("SELECT status FROM deployment WHERE id = $1",
                late.deploymentId())));
        assertThat(count("SELECT count(*) FROM fomo_parked_event WHERE consumer = $1 AND event_id = $2",
                DeploymentStatusConsumer.CONSUMER, eventId)).isZero();
    }
}
