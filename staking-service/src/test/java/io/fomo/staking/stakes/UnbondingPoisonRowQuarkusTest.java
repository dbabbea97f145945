package io.fomo.staking.stakes;

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
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.fomo.grpc.treasury.v1.AccountKind;
import io.fomo.grpc.treasury.v1.LedgerGrpc;
import io.fomo.shared.events.types.DeploymentLive;
import io.fomo.shared.ops.StuckWork;
import io.fomo.staking.testing.Fixtures;
import io.fomo.staking.testing.StakingQuarkusBase;
import io.fomo.staking.stakes.UnbondingService;
import io.fomo.testkit.KeycloakTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;

/**
 * Issue #17, the house rule for scheduled jobs: a matured unbonding that cannot be released (here a row whose model's
 * symbol is not a valid MT, due before everything else) is reported, and the other matured unbondings of the same
 * batch are still returned to their owners.
 */
@QuarkusTest
class UnbondingPoisonRowQuarkusTest extends StakingQuarkusBase {

    @Inject
    StuckWork stuck;

    @Test
    void aPoisonUnbondingIsReportedAndTheOthersAreReleased() {
        LedgerGrpc.LedgerBlockingStub ledger = Fixtures.asService(client);
        String bob = subject("bob");
        var model = Fixtures.launch(ledger, List.<String[]>of(new String[] { bob, "50" }), null, null, null);
        Instant liveAt = Instant.now().minusSeconds(60);
        events.publish("DeploymentLive:" + model.deploymentId(), new DeploymentLive(model.deploymentId(), model.symbol(),
                "alice", "qwen", "0.50", "1.50", "0.20", "0.60", liveAt, DeploymentLive.poolIdOf(model.symbol()),
                "offering-" + model.deploymentId(), liveAt.plusSeconds(86400)));
        await().atMost(Duration.ofSeconds(20)).until(() -> pool.preparedQuery("SELECT count(*) FROM deployment WHERE id = $1")
                .execute(Tuple.of(model.deploymentId())).await().indefinitely().iterator().next().getLong(0) == 1);

        String poisonDeployment = "poison-" + UUID.randomUUID();
        String poisonId = "unstake:poison-" + UUID.randomUUID();
        sql("INSERT INTO deployment (id, symbol, owner_id, live_at) VALUES ($1, 'not a symbol!', 'alice', now())", poisonDeployment);
        // not due yet; written (and below made due) before the healthy row, so it comes first in the batch
        sql("""
                INSERT INTO unbonding (id, user_id, deployment_id, amount, release_at, state)
                VALUES ($1, 'mallory', $2, 1, now() + interval '1 day', 'UNBONDING')""", poisonId, poisonDeployment);
        try {
            String token = KeycloakTokens.user("bob");
            given().auth().oauth2(token).contentType(ContentType.JSON)
                    .body(Map.of("deploymentId", model.deploymentId(), "amount", "50", "idempotencyKey", "s-" + UUID.randomUUID()))
                    .post("/api/v1/stakes").then().statusCode(201);
            String unId = given().auth().oauth2(token).contentType(ContentType.JSON)
                    .body(Map.of("deploymentId", model.deploymentId(), "amount", "20", "idempotencyKey", "u-" + UUID.randomUUID()))
                    .post("/api/v1/unstakes").then().statusCode(201).extract().path("id");

            // Before it matures (3 s in the test profile), in one transaction: it is due now, and so is a poison row (a
            // model whose symbol is not an MT symbol, written past the projection's check) due a day earlier, so both
            // come in the releaser's next batch, the poison first.
            pool.withTransaction(c -> c.preparedQuery("UPDATE unbonding SET release_at = now() - interval '1 day' WHERE id = $1")
                    .execute(Tuple.of(poisonId))
                    .flatMap(x -> c.preparedQuery("UPDATE unbonding SET release_at = now() - interval '1 hour' WHERE id = $1")
                            .execute(Tuple.of(unId)))).await().atMost(Duration.ofSeconds(10));
            assertThat(state(unId)).as("not taken before the poison was there").isEqualTo("UNBONDING");

            // Released although the poison row before it fails on every run.
            await().atMost(Duration.ofSeconds(30)).until(() -> "RELEASED".equals(state(unId)));
            assertThat(available(ledger, ref(bob, AccountKind.ACCOUNT_KIND_USER), model.symbol())).isEqualTo("20");
            assertThat(available(ledger, ref(bob, AccountKind.ACCOUNT_KIND_UNBONDING), model.symbol())).isEqualTo("0");
            assertThat(stuck.isStuck(UnbondingService.JOB, poisonId)).isTrue();
            assertThat(state(poisonId)).isEqualTo("RELEASING");
            assertThat(stuck.isStuck(UnbondingService.JOB, unId)).isFalse();
        } finally {
            sql("DELETE FROM unbonding WHERE id = $1", poisonId);
            sql("DELETE FROM deployment WHERE id = $1", poisonDeployment);
        }
    }

    String state(String id) {
        return text("SELECT state FROM unbonding WHERE id = $1", id);
    }
}
