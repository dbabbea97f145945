package io.fomo.emission.epochs;

import static io.fomo.emission.EmissionFixtures.*;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fomo.emission.EmissionFixtures;
import io.fomo.shared.ledger.LedgerAccount;
import io.fomo.shared.events.EventEnvelope;
import io.fomo.shared.events.types.EpochClosed;
import io.fomo.shared.events.types.EpochClosed.ModelRevenue;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.fomo.shared.ops.StuckWork;
import io.fomo.testkit.KeycloakTokens;
import io.fomo.testkit.ServiceProcessResource;
import io.fomo.testkit.TestDatabase;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;

/**
 * Issue #17 "no input can make emission fail for everyone": one epoch with a healthy model beside poison ones. A
 * model whose owner id the ledger refuses and a model whose DeploymentLive never comes are withheld (their computed
 * share stays in the reserve), entries of EpochClosed that cannot be read are left out; each is reported in
 * {@link StuckWork} and {@code GET /api/v1/ops/stuck}, and the healthy model is paid its allocation to the base unit,
 * with emitted + withheld + dust = budget exactly.
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = ServiceProcessResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "service", value = "treasury"))
class PoisonRowQuarkusTest {

    static final long DAY = 86_400L;

    @Inject
    EmissionFixtures fx;

    @Inject
    ObjectMapper mapper;

    @Inject
    StuckWork stuck;

    static BigInteger units(String flock) {
        return Amount.parse(Token.FLOCK, flock).units();
    }

    @Test
    void poisonModelsAreWithheldOrLeftOutAndReportedWhileTheHealthyModelIsPaid() throws Exception {
        fx.listen();
        long n = epochNumber();
        Instant start = Instant.parse("2026-11-20T00:00:00Z");
        String healthy = id("dep-ok"), badOwner = id("dep-bad-owner"), neverLive = id("dep-never-live");
        String unreadable = id("dep-unreadable"), twice = id("dep-twice");
        String owner = id("owner-ok");
        fx.publish("DeploymentLive:" + healthy, live(healthy, owner, start));
        // An owner id the ledger cannot hold (more than 128 characters): its transfer is refused.
        fx.publish("DeploymentLive:" + badOwner, live(badOwner, "o".repeat(200), start));
        fx.awaitProjected(healthy, badOwner);

        // Three models of equal score (net 100, age 0); two unreadable entries and one deployment named twice.
        EpochClosed closed = new EpochClosed(n, start, start.plusSeconds(DAY), List.of(
                new ModelRevenue(healthy, 10, "100", "100", "0", "100"),
                new ModelRevenue(badOwner, 10, "100", "100", "0", "100"),
                new ModelRevenue(neverLive, 10, "100", "100", "0", "100"),
                new ModelRevenue(unreadable, 10, "1", "1", "0", "12abc"),
                new ModelRevenue(twice, 1, "1", "1", "0", "1"),
                new ModelRevenue(twice, 1, "1", "1", "0", "2")));
        ObjectNode payload = mapper.valueToTree(closed);
        // and one entry whose request count is beyond a 64-bit integer (would fail the whole event if read strictly)
        ((ArrayNode) payload.get("models")).addObject().put("deploymentId", id("dep-huge"))
                .put("requests", new BigInteger("99999999999999999999999")).put("net", "5");
        String json = mapper.writeValueAsString(new EventEnvelope("EpochClosed:" + n, "EpochClosed", 1, Instant.now(),
                "emission-tests", payload));
        publishRaw("EpochClosed", "EpochClosed:" + n, json);

        // It waits for neverLive's DeploymentLive only as long as fomo.emission.deployment-live-wait (15 s in tests).
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            var r = given().get("/api/v1/epochs/" + n);
            return r.statusCode() == 200 && "PUBLISHED".equals(r.jsonPath().getString("state"));
        });
        JsonPath e = given().get("/api/v1/epochs/" + n).then().statusCode(200).extract().jsonPath();
        BigInteger budget = units(e.getString("budget"));
        BigInteger share = budget.divide(BigInteger.valueOf(3));

        JsonPath ok = model(e, healthy);
        assertThat(units(ok.getString("allocation"))).isEqualTo(share);
        assertThat(ok.getString("excluded")).isNull();
        assertThat(ok.getString("withheld")).isEqualTo("0");
        JsonPath bad = model(e, badOwner);
        assertThat(units(bad.getString("allocation"))).as("its share is computed as usual").isEqualTo(share);
        assertThat(bad.getString("excluded")).contains("the ledger refused");
        assertThat(units(bad.getString("withheld"))).isEqualTo(share);
        JsonPath missing = model(e, neverLive);
        assertThat(missing.getString("factor")).as("scored at age 0: the highest factor").isEqualTo("2.000000000000000000");
        assertThat(missing.getString("excluded")).contains("no DeploymentLive");
        assertThat(units(missing.getString("withheld"))).isEqualTo(share);
        assertThat(e.getList("models.deploymentId")).containsExactlyInAnyOrder(healthy, badOwner, neverLive);
        assertThat(e.getString("rejected")).contains(unreadable).contains(twice + " appears 2 times").contains("requests");

        // Conservation to the base unit: what left the reserve is exactly the healthy model's allocation.
        BigInteger emitted = units(e.getString("emitted"));
        BigInteger withheld = units(e.getString("withheld"));
        BigInteger dust = units(e.getString("dust"));
        assertThat(emitted).isEqualTo(share);
        assertThat(withheld).isEqualTo(share.add(share));
        assertThat(emitted.add(withheld).add(dust)).isEqualTo(budget);
        assertThat(units(e.getString("reserveBefore")).subtract(units(e.getString("reserveAfter")))).isEqualTo(emitted);
        assertThat(units(fx.flock(owner, LedgerAccount.Kind.USER))).isEqualTo(units(ok.getString("ownerPart")));
        assertThat(units(fx.flock(healthy, LedgerAccount.Kind.STAKER_REWARDS)))
                .isEqualTo(units(ok.getString("stakersPart")));
        assertThat(fx.flock(badOwner, LedgerAccount.Kind.STAKER_REWARDS)).isEqualTo("0");
        assertThat(fx.flock(neverLive, LedgerAccount.Kind.STAKER_REWARDS)).isEqualTo("0");

        // Only the paid model is announced to staking.
        await().atMost(Duration.ofSeconds(30)).until(() -> received("EmissionAllocated:" + n).size() == 1);
        JsonNode allocations = received("EmissionAllocated:" + n).get(0).path("payload").path("allocations");
        assertThat(allocations).hasSize(1);
        assertThat(allocations.get(0).path("deploymentId").asText()).isEqualTo(healthy);

        // Reported: metric/log through StuckWork, and the operator's endpoint.
        assertThat(stuck.isStuck(EmissionService.JOB, badOwner)).isTrue();
        assertThat(stuck.isStuck(EmissionService.JOB, neverLive)).isTrue();
        assertThat(stuck.isStuck(EmissionService.JOB, unreadable)).isTrue();
        assertThat(stuck.isStuck(EmissionService.JOB, twice)).isTrue();
        assertThat(stuck.isStuck(EmissionService.JOB, healthy)).isFalse();
        assertThat(stuck.isStuck(EmissionService.JOB, "epoch:" + n)).isFalse();
        List<String> keys = given().auth().oauth2(KeycloakTokens.user("op")).get("/api/v1/ops/stuck").then().statusCode(200)
                .extract().jsonPath().getList("items.key");
        assertThat(keys).contains(badOwner, neverLive, unreadable, twice);
    }
}
