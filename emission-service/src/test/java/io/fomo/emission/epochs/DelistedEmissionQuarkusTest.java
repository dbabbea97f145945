package io.fomo.emission.epochs;

import static io.fomo.emission.EmissionFixtures.*;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.fomo.emission.EmissionFixtures;
import io.fomo.emission.deployments.DeploymentStatusConsumer;
import io.fomo.shared.events.types.DeploymentStatusChanged;
import io.fomo.shared.events.types.EpochClosed;
import io.fomo.shared.events.types.EpochClosed.ModelRevenue;
import io.fomo.shared.ledger.LedgerAccount;
import io.fomo.testkit.ServiceProcessResource;
import io.fomo.testkit.TestDatabase;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;

/**
 * SPEC §7a "a delisted deployment [...] settles its last windows and epoch, then gets no further emission", through
 * RabbitMQ and the real ledger: an epoch after a DELISTED deployment's last epoch allocates it nothing even when
 * EpochClosed reports revenue for it, and the other model gets E as if it were absent, whichever of EpochClosed and
 * DELISTED arrives first; its last epoch itself allocates as usual.
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = ServiceProcessResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "service", value = "treasury"))
class DelistedEmissionQuarkusTest {

    static final long DAY = 86_400L;
    static final Instant START = Instant.parse("2026-11-20T00:00:00Z");

    @Inject
    EmissionFixtures fx;

    @BeforeEach
    void listen() {
        fx.listen();
    }

    /** Two models live 30 days before the epoch, with the same revenue. */
    record Pair(String delisted, String other, String ownerDelisted, String ownerOther) {
    }

    Pair livePair() {
        Pair p = new Pair(id("dep-delisted"), id("dep-other"), id("owner-delisted"), id("owner-other"));
        fx.publish("DeploymentLive:" + p.delisted(), live(p.delisted(), p.ownerDelisted(), START.minusSeconds(30 * DAY)));
        fx.publish("DeploymentLive:" + p.other(), live(p.other(), p.ownerOther(), START.minusSeconds(30 * DAY)));
        fx.awaitProjected(p.delisted(), p.other());
        return p;
    }

    void status(String d, String status, long version, Long lastEpoch) {
        fx.publish(DeploymentStatusChanged.eventIdOf(d, version),
                new DeploymentStatusChanged(d, status, version, "test", Instant.now(), lastEpoch));
        await().atMost(WAIT).until(() -> fx.inboxRows(DeploymentStatusConsumer.CONSUMER,
                DeploymentStatusChanged.eventIdOf(d, version)) == 1);
    }

    void close(long n, Pair p) {
        fx.publish("EpochClosed:" + n, new EpochClosed(n, START, START.plusSeconds(DAY), List.of(
                new ModelRevenue(p.delisted(), 5, "50", "40", "10", "30"),
                new ModelRevenue(p.other(), 5, "50", "40", "10", "30"))));
    }

    /** The delisted model got nothing and is explained; the other got all of E; only it was paid and announced. */
    JsonPath assertDelistedGotNothing(long n, Pair p) {
        awaitState(n, "PUBLISHED");
        JsonPath e = epoch(n);
        JsonPath gone = model(e, p.delisted()), other = model(e, p.other());
        assertThat(gone.getString("net")).as("its revenue is still shown").isEqualTo("30");
        assertThat(gone.getString("score")).isEqualTo("0");
        assertThat(gone.getString("allocation")).isEqualTo("0");
        assertThat(gone.getString("delisted")).contains("DELISTED after its last epoch " + (n - 1));
        assertThat(gone.getString("excluded")).isNull();
        assertThat(other.getString("delisted")).isNull();
        assertThat(other.getString("allocation")).as("E as if the delisted model were absent").isEqualTo("100000");
        assertThat(e.getString("totalScore")).isEqualTo(other.getString("score"));
        assertThat(e.getString("emitted")).isEqualTo("100000");
        assertThat(e.getString("dust")).isEqualTo("0");
        assertThat(fx.flock(p.ownerDelisted(), LedgerAccount.Kind.USER)).isEqualTo("0");
        assertThat(fx.flock(p.delisted(), LedgerAccount.Kind.STAKER_REWARDS)).isEqualTo("0");
        assertThat(fx.flock(p.ownerOther(), LedgerAccount.Kind.USER)).isEqualTo("10000");
        assertThat(fx.flock(p.other(), LedgerAccount.Kind.STAKER_REWARDS)).isEqualTo("90000");
        await().atMost(WAIT).until(() -> received("EmissionAllocated:" + n).size() == 1);
        JsonNode allocations = received("EmissionAllocated:" + n).get(0).path("payload").path("allocations");
        assertThat(allocations).hasSize(1);
        assertThat(allocations.get(0).path("deploymentId").asText()).isEqualTo(p.other());
        return e;
    }

    @Test
    void delistedBeforeTheEpochClosedArrives() {
        long n = epochNumber();
        Pair p = livePair();
        status(p.delisted(), "DELISTING", 1, null);
        status(p.delisted(), "DELISTED", 2, n - 1);
        close(n, p);
        assertDelistedGotNothing(n, p);
    }

    @Test
    void delistedAfterTheEpochClosedArrivedGivesTheSameAllocation() {
        long n = epochNumber();
        Pair p = livePair();
        status(p.delisted(), "DELISTING", 1, null);
        close(n, p);
        // the epoch waits for the DELISTING model's DELISTED (its last epoch), it does not allocate yet
        await().atMost(WAIT).until(() -> {
            var r = given().get("/api/v1/epochs/" + n);
            return r.statusCode() == 200 && r.jsonPath().getList("waitingFor").contains(p.delisted());
        });
        assertThat(epoch(n).getString("state")).isEqualTo("CLAIMED");
        status(p.delisted(), "DELISTED", 2, n - 1);
        JsonPath e = assertDelistedGotNothing(n, p);
        assertThat(e.getList("waitingFor")).isEmpty();
    }

    @Test
    void itsLastEpochAllocatesAsUsual() {
        long n = epochNumber();
        Pair p = livePair();
        status(p.delisted(), "DELISTING", 1, null);
        status(p.delisted(), "DELISTED", 2, n);
        close(n, p);
        awaitState(n, "PUBLISHED");
        JsonPath e = epoch(n);
        assertThat(model(e, p.delisted()).getString("delisted")).isNull();
        assertThat(model(e, p.delisted()).getString("allocation")).isEqualTo("50000");
        assertThat(model(e, p.other()).getString("allocation")).isEqualTo("50000");
        assertThat(fx.flock(p.ownerDelisted(), LedgerAccount.Kind.USER)).isEqualTo("5000");
        assertThat(fx.flock(p.delisted(), LedgerAccount.Kind.STAKER_REWARDS)).isEqualTo("45000");
    }

    @Test
    void suspendedChangesNothing() {
        long n = epochNumber();
        Pair p = livePair();
        status(p.delisted(), "SUSPENDED", 1, null);
        close(n, p);
        awaitState(n, "PUBLISHED");
        assertThat(model(epoch(n), p.delisted()).getString("allocation")).isEqualTo("50000");
    }
}
