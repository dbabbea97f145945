package io.fomo.staking.rewards;

import static io.fomo.staking.testing.Fixtures.available;
import static io.fomo.staking.testing.Fixtures.ref;
import static io.fomo.staking.testing.Fixtures.subject;
import static io.fomo.staking.testing.Fixtures.user;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.grpc.treasury.v1.AccountKind;
import io.fomo.grpc.treasury.v1.LedgerGrpc;
import io.fomo.shared.events.types.DeploymentLive;
import io.fomo.shared.events.types.EmissionAllocated;
import io.fomo.staking.testing.Fixtures;
import io.fomo.staking.testing.StakingQuarkusBase;
import io.fomo.staking.testing.FakeEpochUsage;
import io.fomo.testkit.KeycloakTokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;

/**
 * The worked example end to end against the real ledger (treasury-service as a process), events through
 * RabbitMQ, the epoch's usage from a fake {@code EpochUsage} served on staking's test gRPC server: stakes through REST,
 * EmissionAllocated → rewards per user → ledger batch → claims into the users' ledger balances.
 */
@QuarkusTest
class RewardsEndToEndQuarkusTest extends StakingQuarkusBase {

    // Test-only arithmetic on the metrics endpoint's counter; never an amount.
    static final String STAKERS_PART = "57410.128021200224237976";

    @TestHTTPResource(value = "metrics", management = true) // under the management root /q
    java.net.URL metricsUrl;

    @Inject
    ObjectMapper mapper;

    static String token(String user) {
        return KeycloakTokens.user(user);
    }

    static void stake(String who, String path, String deploymentId, String amount, String key) {
        given().auth().oauth2(token(who)).contentType(ContentType.JSON)
                .body(Map.of("deploymentId", deploymentId, "amount", amount, "idempotencyKey", key))
                .post("/api/v1/" + path).then().statusCode(201);
    }

    @Test
    void workedExampleThroughTheLedger() throws Exception {
        LedgerGrpc.LedgerBlockingStub ledger = Fixtures.asService(client);
        String bob = subject("bob");
        String carol = subject("carol");
        String dave = subject("dave");
        String erin = "erin-" + UUID.randomUUID();
        // Launch: MT to bob, carol and dave; 200,000 incentive MT and 1,800 FLOCK in the reward pool; the emission's
        // stakers' part already in STAKER_REWARDS (emission-service moved it before publishing EmissionAllocated).
        var model = Fixtures.launch(ledger, List.of(new String[] { bob, "20000" }, new String[] { carol, "1000" },
                new String[] { dave, "1000" }), "200000", "1800", STAKERS_PART);
        String dep = model.deploymentId();
        String mt = model.symbol();
        // The test exchange is shared with other modules' tests (e.g. emission's EmissionAllocated of other epochs): this
        // model goes live in the future and its epochs end after that, so no foreign epoch (ending now) counts for it.
        Instant liveAt = Instant.now().plusSeconds(3600);
        DeploymentLive live = new DeploymentLive(dep, mt, "alice", "qwen", "0.50", "1.50", "0.20", "0.60", liveAt,
                DeploymentLive.poolIdOf(mt), "offering-" + dep, liveAt.plusSeconds(86400));
        events.publish("DeploymentLive:" + dep, live);
        await().atMost(Duration.ofSeconds(20)).until(() -> count("SELECT count(*) FROM deployment WHERE id = $1", dep) == 1);

        stake("bob", "stakes", dep, "10000", "e2e-" + dep);
        stake("dave", "stakes", dep, "500", "e2e-" + dep);
        stake("carol", "stakes", dep, "100", "e2e-" + dep);
        stake("carol", "unstakes", dep, "100", "e2e-un-" + dep);

        // Discounts: Bob 10%, Dave 0% (staked, not unbonding, counts).
        given().auth().oauth2(token("bob")).get("/api/v1/stakes/me").then().statusCode(200);
        assertThat(discount("bob", dep)).isEqualTo(1000);
        assertThat(discount("dave", dep)).isZero();
        assertThat(available(ledger, ref(bob, AccountKind.ACCOUNT_KIND_STAKING_CUSTODY), mt)).isEqualTo("10000");
        assertThat(available(ledger, ref(carol, AccountKind.ACCOUNT_KIND_UNBONDING), mt)).isEqualTo("100");

        // StakeChanged through the outbox with an increasing sequence per (user, deployment).
        List<JsonNode> carolEvents = stakeChanged(carol, dep);
        assertThat(carolEvents).hasSize(2);
        assertThat(carolEvents.get(0).get("sequence").asLong()).isEqualTo(1);
        assertThat(carolEvents.get(0).get("staked").asText()).isEqualTo("100");
        assertThat(carolEvents.get(1).get("sequence").asLong()).isEqualTo(2);
        assertThat(carolEvents.get(1).get("staked").asText()).isEqualTo("0");
        assertThat(stakeChanged(bob, dep).get(0).get("discountBps").asInt()).isEqualTo(1000);

        // The epoch closes after the stakes; billing's usage of it (gross, undiscounted).
        long epoch = System.currentTimeMillis();
        Instant end = liveAt.plusSeconds(3600);
        FakeEpochUsage.close(epoch, List.of(
                FakeEpochUsage.usage(epoch, bob, dep, "0.008"),
                FakeEpochUsage.usage(epoch, carol, dep, "0.012"),
                FakeEpochUsage.usage(epoch, dave, dep, "0.004"),
                FakeEpochUsage.usage(epoch, erin, dep, "1.5")));
        var allocated = new EmissionAllocated(epoch, end.minusSeconds(86400), end, "100000",
                List.of(new EmissionAllocated.ModelAllocation(dep, "alice", "0.0128", "63789.031134666915819973",
                        "6378.903113466691581997", STAKERS_PART)));
        String eventId = "EmissionAllocated:" + epoch;
        events.publish(eventId, allocated);

        await().atMost(Duration.ofSeconds(40)).until(() -> "DONE".equals(jobState(epoch, dep)));

        JsonNode bobReward = reward("bob", epoch, dep);
        assertThat(bobReward.get("emissionFlock").asText()).isEqualTo("38273.418680800149491984");
        assertThat(bobReward.get("weight").asText()).isEqualTo("0.008");
        assertThat(bobReward.get("mt").asText()).isEqualTo("740.74074074074074074");
        assertThat(bobReward.get("sliceFlock").asText()).isEqualTo("6.666666666666666666");
        JsonNode daveReward = reward("dave", epoch, dep);
        assertThat(daveReward.get("emissionFlock").asText()).isEqualTo("19136.709340400074745992");
        assertThat(daveReward.get("mt").asText()).isEqualTo("370.37037037037037037");
        assertThat(daveReward.get("sliceFlock").asText()).isEqualTo("3.333333333333333333");
        assertThat(reward("carol", epoch, dep)).isNull();
        assertThat(count("SELECT count(*) FROM reward_accrual WHERE epoch = $1 AND deployment_id = $2", epoch, dep)).isEqualTo(2);

        // The ledger: the paid part of the slices moved REWARD_POOL -> STAKER_REWARDS (the slice dust stays in the pool).
        assertThat(available(ledger, ref(dep, AccountKind.ACCOUNT_KIND_REWARD_POOL), mt)).isEqualTo("198888.88888888888888889");
        assertThat(available(ledger, ref(dep, AccountKind.ACCOUNT_KIND_REWARD_POOL), "FLOCK")).isEqualTo("1790.000000000000000001");
        assertThat(available(ledger, ref(dep, AccountKind.ACCOUNT_KIND_STAKER_REWARDS), mt)).isEqualTo("1111.11111111111111111");
        assertThat(available(ledger, ref(dep, AccountKind.ACCOUNT_KIND_STAKER_REWARDS), "FLOCK"))
                .isEqualTo("57420.128021200224237975");

        // Re-delivery x3 of both consumed events changes nothing.
        String doneAt = pool.preparedQuery("SELECT done_at::text FROM reward_job WHERE epoch = $1 AND deployment_id = $2")
                .execute(Tuple.of(epoch, dep)).await().indefinitely().iterator().next().getString(0);
        long duplicatesBefore = duplicates();
        for (int i = 0; i < 3; i++) {
            events.publish(eventId, allocated);
            events.publish("DeploymentLive:" + dep, live);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> duplicates() >= duplicatesBefore + 6);
        assertThat(count("SELECT count(*) FROM fomo_inbox WHERE event_id = $1", eventId)).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM reward_accrual WHERE epoch = $1 AND deployment_id = $2", epoch, dep)).isEqualTo(2);
        assertThat(pool.preparedQuery("SELECT done_at::text FROM reward_job WHERE epoch = $1 AND deployment_id = $2")
                .execute(Tuple.of(epoch, dep)).await().indefinitely().iterator().next().getString(0)).isEqualTo(doneAt);
        assertThat(available(ledger, ref(dep, AccountKind.ACCOUNT_KIND_REWARD_POOL), mt)).isEqualTo("198888.88888888888888889");

        // A crash after the ledger batch and before recording DONE: the job is taken over and the batch id is replayed.
        pool.preparedQuery("UPDATE reward_job SET state = 'PLANNED', claimed_until = NULL WHERE epoch = $1 AND deployment_id = $2")
                .execute(Tuple.of(epoch, dep)).await().indefinitely();
        await().atMost(Duration.ofSeconds(20)).until(() -> "DONE".equals(jobState(epoch, dep)));
        assertThat(available(ledger, ref(dep, AccountKind.ACCOUNT_KIND_REWARD_POOL), mt)).isEqualTo("198888.88888888888888889");
        assertThat(available(ledger, ref(dep, AccountKind.ACCOUNT_KIND_STAKER_REWARDS), "FLOCK"))
                .isEqualTo("57420.128021200224237975");

        // Claims: everything accrued, FLOCK and MT, into the users' ledger balances, once.
        String claimKey = "claim-" + dep;
        java.math.BigDecimal bobFlockBefore = new java.math.BigDecimal(available(ledger, user(bob), "FLOCK"));
        String firstClaim = given().auth().oauth2(token("bob")).contentType(ContentType.JSON)
                .body(Map.of("idempotencyKey", claimKey)).post("/api/v1/rewards/claims")
                .then().statusCode(201).extract().asString();
        JsonNode claim = mapper.readTree(firstClaim);
        assertThat(claim.get("state").asText()).isEqualTo("PAID");
        assertThat(available(ledger, user(bob), mt)).isEqualTo("10740.74074074074074074");
        String bobFlock = available(ledger, user(bob), "FLOCK");
        assertThat(new java.math.BigDecimal(bobFlock).subtract(bobFlockBefore))
                .isEqualByComparingTo("38280.08534746681615865");
        String again = given().auth().oauth2(token("bob")).contentType(ContentType.JSON)
                .body(Map.of("idempotencyKey", claimKey)).post("/api/v1/rewards/claims")
                .then().statusCode(201).extract().asString();
        assertThat(mapper.readTree(again)).isEqualTo(claim);
        assertThat(available(ledger, user(bob), mt)).isEqualTo("10740.74074074074074074");
        assertThat(available(ledger, user(bob), "FLOCK")).isEqualTo(bobFlock);
        given().auth().oauth2(token("dave")).contentType(ContentType.JSON)
                .body(Map.of("idempotencyKey", claimKey)).post("/api/v1/rewards/claims").then().statusCode(201);
        assertThat(available(ledger, user(dave), mt)).isEqualTo("870.37037037037037037");
        // What is left in STAKER_REWARDS is only what bob and dave did not earn here: nothing of this model.
        assertThat(available(ledger, ref(dep, AccountKind.ACCOUNT_KIND_STAKER_REWARDS), mt)).isEqualTo("0");
        assertThat(available(ledger, ref(dep, AccountKind.ACCOUNT_KIND_STAKER_REWARDS), "FLOCK")).isEqualTo("0");
        // Claimed rewards show their claim.
        assertThat(reward("bob", epoch, dep).get("claimId").asText()).isEqualTo(claim.get("id").asText());

        // Epoch 2: the model's stakers' part but no usage: nobody eligible, the emission share goes back to the
        // reserve and the reward-pool slice rolls over (the pool is untouched).
        ledger.transfer(Fixtures.transfer("test-emission2:" + dep, ref("protocol", AccountKind.ACCOUNT_KIND_EMISSION_RESERVE),
                ref(dep, AccountKind.ACCOUNT_KIND_STAKER_REWARDS), "FLOCK", "5"));
        long epoch2 = System.currentTimeMillis();
        Instant end2 = end.plusSeconds(86400);
        FakeEpochUsage.close(epoch2, List.of());
        events.publish("EmissionAllocated:" + epoch2, new EmissionAllocated(epoch2, end2.minusSeconds(86400), end2, "100000",
                List.of(new EmissionAllocated.ModelAllocation(dep, "alice", "0.01", "5.555555555555555555", "0.555555555555555555", "5"))));
        await().atMost(Duration.ofSeconds(40)).until(() -> "DONE".equals(jobState(epoch2, dep)));
        assertThat(available(ledger, ref(dep, AccountKind.ACCOUNT_KIND_STAKER_REWARDS), "FLOCK")).isEqualTo("0");
        assertThat(available(ledger, ref(dep, AccountKind.ACCOUNT_KIND_REWARD_POOL), mt)).isEqualTo("198888.88888888888888889");

        // Epoch 3 (k = 2): bob alone is eligible and takes the whole slice floor(remaining / 178), rolled-over part included.
        long epoch3 = System.currentTimeMillis() + 1;
        Instant end3 = end2.plusSeconds(86400);
        FakeEpochUsage.close(epoch3, List.of(FakeEpochUsage.usage(epoch3, bob, dep, "0.5"),
                FakeEpochUsage.usage(epoch3, carol, dep, "0.5")));
        events.publish("EmissionAllocated:" + epoch3, new EmissionAllocated(epoch3, end3.minusSeconds(86400), end3, "100000", List.of()));
        await().atMost(Duration.ofSeconds(40)).until(() -> "DONE".equals(jobState(epoch3, dep)));
        java.math.BigInteger remaining = new java.math.BigInteger("198888888888888888888890");
        java.math.BigInteger slice = remaining.divide(java.math.BigInteger.valueOf(178));
        JsonNode third = reward("bob", epoch3, dep);
        assertThat(third.get("mt").asText()).isEqualTo(io.fomo.shared.money.Amount.ofUnits(
                io.fomo.shared.money.Token.modelToken(mt), slice).toDecimalString());
        assertThat(third.get("emissionFlock").asText()).isEqualTo("0");
        assertThat(reward("carol", epoch3, dep)).isNull();
        assertThat(available(ledger, ref(dep, AccountKind.ACCOUNT_KIND_REWARD_POOL), mt)).isEqualTo(io.fomo.shared.money.Amount.ofUnits(
                io.fomo.shared.money.Token.modelToken(mt), remaining.subtract(slice)).toDecimalString());
    }

    /** The inbox's re-delivered-and-skipped counter (a count, read exactly: Prometheus prints it as e.g. {@code 6.0}). */
    long duplicates() {
        // /q/metrics is served on the management interface only (issue #17), on its own random test port
        String metrics = given().get(metricsUrl).then().statusCode(200).extract().asString();
        long total = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("fomo_inbox_duplicates_total")) {
                total += new java.math.BigDecimal(line.substring(line.lastIndexOf(' ') + 1)).longValueExact();
            }
        }
        return total;
    }

    int discount(String who, String dep) {
        var stakes = given().auth().oauth2(token(who)).get("/api/v1/stakes/me").then().statusCode(200).extract().jsonPath();
        List<Map<String, Object>> list = stakes.getList("stakes");
        for (Map<String, Object> s : list) {
            if (dep.equals(s.get("deploymentId"))) {
                return ((Number) s.get("discountBps")).intValue();
            }
        }
        return 0;
    }

    JsonNode reward(String who, long epoch, String dep) throws Exception {
        JsonNode me = mapper.readTree(given().auth().oauth2(token(who)).get("/api/v1/rewards/me").then().statusCode(200)
                .extract().asString());
        for (JsonNode r : me.get("rewards")) {
            if (r.get("epoch").asLong() == epoch && dep.equals(r.get("deploymentId").asText())) {
                return r;
            }
        }
        return null;
    }

    List<JsonNode> stakeChanged(String userId, String dep) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (Row row : pool.preparedQuery("SELECT envelope FROM fomo_outbox WHERE type = 'StakeChanged' ORDER BY id")
                .execute().await().indefinitely()) {
            JsonNode payload = mapper.readTree(row.getString(0)).get("payload");
            if (userId.equals(payload.get("userId").asText()) && dep.equals(payload.get("deploymentId").asText())) {
                out.add(payload);
            }
        }
        return out;
    }

    String jobState(long epoch, String dep) {
        return text("SELECT state FROM reward_job WHERE epoch = $1 AND deployment_id = $2", epoch, dep);
    }
}
