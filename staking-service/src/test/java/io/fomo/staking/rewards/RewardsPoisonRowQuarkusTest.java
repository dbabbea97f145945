package io.fomo.staking.rewards;

import static io.fomo.staking.testing.Fixtures.available;
import static io.fomo.staking.testing.Fixtures.ref;
import static io.fomo.staking.testing.Fixtures.subject;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fomo.grpc.treasury.v1.AccountKind;
import io.fomo.grpc.treasury.v1.LedgerGrpc;
import io.fomo.shared.events.types.DeploymentLive;
import io.fomo.shared.events.types.EmissionAllocated;
import io.fomo.shared.ops.StuckWork;
import io.fomo.staking.testing.Fixtures;
import io.fomo.staking.testing.StakingQuarkusBase;
import io.fomo.staking.testing.FakeEpochUsage;
import io.fomo.staking.rewards.RewardJobService;
import io.fomo.testkit.KeycloakTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;

/**
 * Issue #17 "no input can make rewards fail for everyone": in one epoch a healthy model beside a poison one whose
 * usage weights overflow numeric(39,0), and two unreadable allocations in the event. The poison model's job is
 * reported (StuckWork, {@code GET /api/v1/ops/stuck}) and waits with nothing moved in the ledger; the healthy model's
 * rewards are computed and paid.
 */
@QuarkusTest
class RewardsPoisonRowQuarkusTest extends StakingQuarkusBase {

    /** The most a USDC amount may be (39 digits of base units): two of them overflow a weight sum. */
    static final String HUGE_GROSS = "999999999999999999999999999999999.999999";

    @Inject
    StuckWork stuck;

    static void stake(String who, String deploymentId, String amount) {
        given().auth().oauth2(KeycloakTokens.user(who)).contentType(ContentType.JSON)
                .body(Map.of("deploymentId", deploymentId, "amount", amount, "idempotencyKey", "poison-" + deploymentId))
                .post("/api/v1/stakes").then().statusCode(201);
    }

    DeploymentLive live(Fixtures.Model m, Instant liveAt) {
        return new DeploymentLive(m.deploymentId(), m.symbol(), "alice", "qwen", "0.50", "1.50", "0.20", "0.60", liveAt,
                DeploymentLive.poolIdOf(m.symbol()), "offering-" + m.deploymentId(), liveAt.plusSeconds(86400));
    }

    @Test
    void aPoisonModelIsReportedAndWaitsWhileTheHealthyModelIsPaid() {
        LedgerGrpc.LedgerBlockingStub ledger = Fixtures.asService(client);
        String bob = subject("bob");
        String dave = subject("dave");
        var healthy = Fixtures.launch(ledger, List.<String[]>of(new String[] { bob, "1000" }), "18000", "1800", "90");
        var poison = Fixtures.launch(ledger, List.of(new String[] { bob, "1000" }, new String[] { dave, "1000" }), "18000",
                "1800", "90");
        // Live in the future, epochs ending after that: no other test's epoch counts as one of these models' slices.
        Instant liveAt = Instant.now().plusSeconds(3600);
        events.publish("DeploymentLive:" + healthy.deploymentId(), live(healthy, liveAt));
        events.publish("DeploymentLive:" + poison.deploymentId(), live(poison, liveAt));
        await().atMost(Duration.ofSeconds(20)).until(() -> count("SELECT count(*) FROM deployment WHERE id IN ($1, $2)",
                healthy.deploymentId(), poison.deploymentId()) == 2);
        stake("bob", healthy.deploymentId(), "100");
        stake("bob", poison.deploymentId(), "100");
        stake("dave", poison.deploymentId(), "100");

        long epoch = System.currentTimeMillis() + 7;
        Instant end = liveAt.plusSeconds(3600);
        FakeEpochUsage.close(epoch, List.of(
                FakeEpochUsage.usage(epoch, bob, healthy.deploymentId(), "0.5"),
                FakeEpochUsage.usage(epoch, bob, poison.deploymentId(), HUGE_GROSS),
                FakeEpochUsage.usage(epoch, dave, poison.deploymentId(), HUGE_GROSS)));
        String longId = "d".repeat(300);
        events.publish("EmissionAllocated:" + epoch, new EmissionAllocated(epoch, end.minusSeconds(86400), end, "100000", List.of(
                new EmissionAllocated.ModelAllocation(healthy.deploymentId(), "alice", "1", "100", "10", "90"),
                new EmissionAllocated.ModelAllocation(poison.deploymentId(), "alice", "1", "100", "10", "90"),
                new EmissionAllocated.ModelAllocation(longId, "alice", "1", "100", "10", "90"),
                new EmissionAllocated.ModelAllocation("dep-unreadable-" + epoch, "alice", "1", "100", "10", "ninety"))));

        // The healthy model is paid although the poison model's job fails on every try.
        await().atMost(Duration.ofSeconds(60)).until(() -> "DONE".equals(jobState(epoch, healthy.deploymentId())));
        await().atMost(Duration.ofSeconds(30)).until(() -> stuck.isStuck(RewardJobService.JOB, poison.deploymentId()));
        assertThat(jobState(epoch, poison.deploymentId())).isNotEqualTo("DONE");
        assertThat(count("SELECT count(*) FROM reward_accrual WHERE epoch = $1 AND deployment_id = $2", epoch,
                poison.deploymentId())).isZero();
        assertThat(stuck.list().stream().filter(i -> i.key().equals(poison.deploymentId())).findFirst().orElseThrow().reason())
                .contains("rewards of epoch " + epoch);
        assertThat(stuck.isStuck(RewardJobService.JOB, healthy.deploymentId())).isFalse();

        // Healthy: bob alone earned the whole stakers' part and the first slices, moved in the ledger.
        assertThat(pool.preparedQuery("SELECT emission_flock::text FROM reward_accrual WHERE epoch = $1 AND deployment_id = $2 AND user_id = $3")
                .execute(Tuple.of(epoch, healthy.deploymentId(), bob)).await().indefinitely().iterator().next().getString(0))
                .isEqualTo("90000000000000000000");
        assertThat(available(ledger, ref(healthy.deploymentId(), AccountKind.ACCOUNT_KIND_REWARD_POOL), healthy.symbol()))
                .isEqualTo("17900");
        // Poison: nothing moved out of its pool.
        assertThat(available(ledger, ref(poison.deploymentId(), AccountKind.ACCOUNT_KIND_REWARD_POOL), poison.symbol()))
                .isEqualTo("18000");

        // The unreadable allocations got no job and are reported; the readable ones were not held up by them.
        assertThat(count("SELECT count(*) FROM reward_job WHERE epoch = $1 AND deployment_id IN ($2, $3)", epoch,
                longId, "dep-unreadable-" + epoch)).isZero();
        assertThat(stuck.isStuck(RewardJobService.JOB, "dep-unreadable-" + epoch)).isTrue();
        assertThat(stuck.isStuck(RewardJobService.JOB, "epoch:" + epoch + ":allocation#2")).isTrue();
        List<String> keys = given().auth().oauth2(KeycloakTokens.user("op")).get("/api/v1/ops/stuck").then().statusCode(200)
                .extract().jsonPath().getList("items.key");
        assertThat(keys).contains(poison.deploymentId(), "dep-unreadable-" + epoch);
    }

    String jobState(long epoch, String dep) {
        return text("SELECT state FROM reward_job WHERE epoch = $1 AND deployment_id = $2", epoch, dep);
    }
}
