package io.fomo.emission.epochs;

import static io.fomo.emission.EmissionFixtures.*;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.fomo.emission.EmissionFixtures;
import io.fomo.shared.ledger.LedgerAccount;
import io.fomo.shared.events.types.EpochClosed;
import io.fomo.shared.events.types.EpochClosed.ModelRevenue;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.fomo.testkit.ServiceProcessResource;
import io.fomo.testkit.TestDatabase;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;

/**
 * The worked example end to end: events to the test exchange → the real ledger's balances, the published
 * EmissionAllocated and the public explanation; re-delivery ×3 changes nothing; an epoch without revenue; an epoch
 * whose DeploymentLive arrives late.
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = ServiceProcessResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "service", value = "treasury"))
class EmissionEndToEndQuarkusTest {

    static final long DAY = 86_400L;
    @Inject
    EmissionFixtures fx;

    @BeforeEach
    void listen() {
        fx.listen();
    }

    @Test
    void workedExampleThroughTheBrokerAndTheRealLedgerOnceEvenIfDeliveredThreeTimes() {
        long n = epochNumber();
        Instant start = Instant.parse("2026-11-24T00:00:00Z");
        String a = id("dep-a"), b = id("dep-b"), c = id("dep-c");
        String ownerA = id("owner-a"), ownerB = id("owner-b"), ownerC = id("owner-c");
        fx.publish("DeploymentLive:" + a, live(a, ownerA, start));
        fx.publish("DeploymentLive:" + b, live(b, ownerB, start.minusSeconds(60 * DAY)));
        fx.publish("DeploymentLive:" + c, live(c, ownerC, start.minusSeconds(10 * DAY)));
        fx.awaitProjected(a, b, c);

        EpochClosed closed = new EpochClosed(n, start, start.plusSeconds(DAY), List.of(
                new ModelRevenue(a, 10, "150", "120", "20", "100"),
                new ModelRevenue(b, 12, "130", "110", "10", "100"),
                new ModelRevenue(c, 3, "0.000003", "0.000003", "0.000003", "0")));
        String json = fx.publish("EpochClosed:" + n, closed);
        awaitState(n, "PUBLISHED");

        // the explanation (SPEC §9): enough to recompute by hand
        JsonPath e = epoch(n);
        assertThat(e.getString("perEpoch")).isEqualTo("100000");
        assertThat(e.getString("budget")).isEqualTo("100000");
        assertThat(e.getString("emitted")).isEqualTo("99999.999999999999999999");
        assertThat(e.getString("dust")).isEqualTo("0.000000000000000001");
        assertThat(Amount.parse(Token.FLOCK, e.getString("reserveBefore")).minus(Amount.parse(Token.FLOCK, e.getString("reserveAfter"))))
                .isEqualTo(Amount.parse(Token.FLOCK, "99999.999999999999999999"));
        assertThat(e.getString("beta")).isEqualTo("1");
        assertThat(e.getString("tauDays")).isEqualTo("30");
        assertThat(e.getInt("ownerShareBps")).isEqualTo(1000);
        assertThat(e.getString("totalScore")).isEqualTo("313533528323661269200000000");
        assertThat(e.getString("ledgerBatchId")).isEqualTo("emission:" + n);
        assertThat(e.getBoolean("ledgerReplayed")).isFalse();
        JsonPath ma = model(e, a), mb = model(e, b), mc = model(e, c);
        assertThat(ma.getString("net")).isEqualTo("100");
        assertThat(ma.getString("netUnits")).isEqualTo("100000000");
        assertThat(ma.getLong("ageSeconds")).isZero();
        assertThat(ma.getString("factor")).isEqualTo("2.000000000000000000");
        assertThat(ma.getString("factorFixedPoint")).isEqualTo("2000000000000000000");
        assertThat(ma.getString("score")).isEqualTo("200000000000000000000000000");
        assertThat(ma.getString("share")).isEqualTo("0.637890311346669158");
        assertThat(ma.getString("allocation")).isEqualTo("63789.031134666915819973");
        assertThat(ma.getString("ownerPart")).isEqualTo("6378.903113466691581997");
        assertThat(ma.getString("stakersPart")).isEqualTo("57410.128021200224237976");
        assertThat(ma.getString("ownerId")).isEqualTo(ownerA);
        assertThat(mb.getLong("ageSeconds")).isEqualTo(60 * DAY);
        assertThat(mb.getString("ageDays")).isEqualTo("60.000000");
        assertThat(mb.getString("factor")).isEqualTo("1.135335283236612692");
        assertThat(mb.getString("allocation")).isEqualTo("36210.968865333084180026");
        assertThat(mb.getString("ownerPart")).isEqualTo("3621.096886533308418002");
        assertThat(mb.getString("stakersPart")).isEqualTo("32589.871978799775762024");
        assertThat(mc.getString("net")).isEqualTo("0");
        assertThat(mc.getLong("ageSeconds")).isEqualTo(10 * DAY);
        assertThat(mc.getString("score")).isEqualTo("0");
        assertThat(mc.getString("allocation")).isEqualTo("0");

        // the real ledger moved exactly that
        assertThat(fx.flock(ownerA, LedgerAccount.Kind.USER)).isEqualTo("6378.903113466691581997");
        assertThat(fx.flock(a, LedgerAccount.Kind.STAKER_REWARDS)).isEqualTo("57410.128021200224237976");
        assertThat(fx.flock(ownerB, LedgerAccount.Kind.USER)).isEqualTo("3621.096886533308418002");
        assertThat(fx.flock(b, LedgerAccount.Kind.STAKER_REWARDS)).isEqualTo("32589.871978799775762024");
        assertThat(fx.flock(ownerC, LedgerAccount.Kind.USER)).isEqualTo("0");
        assertThat(fx.flock(c, LedgerAccount.Kind.STAKER_REWARDS)).isEqualTo("0");

        // EmissionAllocated went out once, with both allocations
        await().atMost(WAIT).until(() -> received("EmissionAllocated:" + n).size() == 1);
        JsonNode payload = received("EmissionAllocated:" + n).get(0).path("payload");
        assertThat(payload.path("epoch").asLong()).isEqualTo(n);
        assertThat(payload.path("perEpoch").asText()).isEqualTo("100000");
        assertThat(payload.path("allocations")).hasSize(2);
        assertThat(payload.path("allocations").get(0).path("deploymentId").asText()).isEqualTo(a);
        assertThat(payload.path("allocations").get(0).path("ownerPart").asText()).isEqualTo("6378.903113466691581997");
        assertThat(payload.path("allocations").get(1).path("stakersPart").asText()).isEqualTo("32589.871978799775762024");

        // delivered twice more, and once more under another event id: nothing changes
        publishRaw("EpochClosed", "EpochClosed:" + n, json);
        publishRaw("EpochClosed", "EpochClosed:" + n, json);
        fx.publish("EpochClosed:" + n + ":again", closed);
        await().atMost(WAIT).until(() -> fx.count("SELECT count(*) AS n FROM fomo_inbox WHERE event_id = $1",
                "EpochClosed:" + n + ":again") == 1);
        await().during(Duration.ofSeconds(2)).atMost(WAIT).until(() -> received("EmissionAllocated:" + n).size() == 1);
        assertThat(fx.count("SELECT count(*) AS n FROM fomo_inbox WHERE event_id = $1", "EpochClosed:" + n)).isEqualTo(1);
        assertThat(fx.count("SELECT count(*) AS n FROM fomo_outbox WHERE event_id = $1", "EmissionAllocated:" + n)).isEqualTo(1);
        assertThat(epoch(n).getString("publishedAt")).isEqualTo(e.getString("publishedAt"));
        assertThat(fx.flock(ownerA, LedgerAccount.Kind.USER)).isEqualTo("6378.903113466691581997");
        assertThat(fx.flock(b, LedgerAccount.Kind.STAKER_REWARDS)).isEqualTo("32589.871978799775762024");

        // listed, newest first
        given().get("/api/v1/epochs?limit=500").then().statusCode(200)
                .body("epochs.find { it.epoch == " + n + " }.emitted", equalTo("99999.999999999999999999"));
    }

    @Test
    void anEpochWithoutRevenueEmitsNothingAndStillAnnouncesIt() {
        long n = epochNumber();
        Instant start = Instant.parse("2026-11-23T00:00:00Z");
        String d = id("dep-z");
        fx.publish("DeploymentLive:" + d, live(d, id("owner-z"), start.minusSeconds(DAY)));
        fx.awaitProjected(d);
        fx.publish("EpochClosed:" + n, new EpochClosed(n, start, start.plusSeconds(DAY),
                List.of(new ModelRevenue(d, 1, "0.2", "0.2", "0.2", "0"))));
        awaitState(n, "PUBLISHED");
        JsonPath e = epoch(n);
        assertThat(e.getString("emitted")).isEqualTo("0");
        assertThat(e.getString("dust")).isEqualTo("0");
        assertThat(e.getString("reserveAfter")).isEqualTo(e.getString("reserveBefore"));
        assertThat(e.getString("ledgerCommittedAt")).as("no ledger batch at all").isNull();
        await().atMost(WAIT).until(() -> received("EmissionAllocated:" + n).size() == 1);
        assertThat(received("EmissionAllocated:" + n).get(0).path("payload").path("allocations")).isEmpty();
        assertThat(fx.flock(d, LedgerAccount.Kind.STAKER_REWARDS)).isEqualTo("0");
    }

    @Test
    void anEpochWaitsForADeploymentLiveThatHasNotArrivedYet() {
        long n = epochNumber();
        Instant start = Instant.parse("2026-11-22T00:00:00Z");
        String d = id("dep-late");
        String owner = id("owner-late");
        fx.publish("EpochClosed:" + n, new EpochClosed(n, start, start.plusSeconds(DAY),
                List.of(new ModelRevenue(d, 1, "2", "2", "1", "1"))));
        await().atMost(WAIT).until(() -> {
            var r = given().get("/api/v1/epochs/" + n);
            return r.statusCode() == 200 && r.jsonPath().getList("waitingFor").contains(d);
        });
        assertThat(epoch(n).getString("state")).isEqualTo("CLAIMED");

        fx.publish("DeploymentLive:" + d, live(d, owner, start.minusSeconds(30 * DAY)));
        awaitState(n, "PUBLISHED");
        JsonPath e = epoch(n);
        assertThat(e.getList("waitingFor")).isEmpty();
        assertThat(model(e, d).getString("factor")).isEqualTo("1.367879441171442322");
        assertThat(model(e, d).getString("allocation")).isEqualTo("100000");
        assertThat(fx.flock(owner, LedgerAccount.Kind.USER)).isEqualTo("10000");
        assertThat(fx.flock(d, LedgerAccount.Kind.STAKER_REWARDS)).isEqualTo("90000");
        assertThat(new BigInteger(e.getString("ledgerBatchId").substring("emission:".length()))).isEqualTo(BigInteger.valueOf(n));
    }
}
