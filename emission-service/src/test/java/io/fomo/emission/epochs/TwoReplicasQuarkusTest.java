package io.fomo.emission.epochs;

import static io.fomo.emission.EmissionFixtures.*;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.fomo.emission.EmissionFixtures;
import io.fomo.shared.ledger.LedgerAccount;
import io.fomo.shared.events.types.EpochClosed;
import io.fomo.shared.events.types.EpochClosed.ModelRevenue;
import io.fomo.testkit.ServiceProcess;
import io.fomo.testkit.ServiceProcessResource;
import io.fomo.testkit.TestDatabase;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;

/**
 * SPEC §7 "exactly once across any number of replicas": a second replica of this service (its built quarkus-app as a
 * process) runs beside the @QuarkusTest app on the same database, broker and ledger. Each consumes its own copy of
 * every event (test queues are per process), so every epoch is offered to both; each must move the ledger once.
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = ServiceProcessResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "service", value = "treasury"))
class TwoReplicasQuarkusTest {

    static final int EPOCHS = 12;
    static final long DAY = 86_400L;

    @Inject
    EmissionFixtures fx;

    @ConfigProperty(name = "fomo.it.treasury.grpc-port")
    String treasuryGrpcPort;

    @Test
    void twoReplicasAllocateEveryEpochOnce() {
        try (ServiceProcess replica = ServiceProcess.startOn("emission", "fomo_emission_test", Map.of(
                "quarkus.grpc.clients.ledger.host", "localhost",
                "quarkus.grpc.clients.ledger.port", treasuryGrpcPort))) {
            Instant base = Instant.parse("2026-10-01T00:00:00Z");
            List<Long> epochs = new ArrayList<>();
            List<String[]> models = new ArrayList<>();
            for (int i = 0; i < EPOCHS; i++) {
                String d1 = id("dep-r1"), d2 = id("dep-r2"), o1 = id("owner-r1"), o2 = id("owner-r2");
                fx.publish("DeploymentLive:" + d1, live(d1, o1, base.minusSeconds(i * DAY)));
                fx.publish("DeploymentLive:" + d2, live(d2, o2, base.minusSeconds(40 * DAY)));
                models.add(new String[] {d1, o1, d2, o2});
            }
            List<String> all = new ArrayList<>();
            models.forEach(m -> {
                all.add(m[0]);
                all.add(m[2]);
            });
            fx.awaitProjected(all);
            for (int i = 0; i < EPOCHS; i++) {
                long n = epochNumber();
                epochs.add(n);
                String[] m = models.get(i);
                Instant start = base.plusSeconds(i * DAY);
                fx.publish("EpochClosed:" + n, new EpochClosed(n, start, start.plusSeconds(DAY), List.of(
                        new ModelRevenue(m[0], 1, "3", "3", "1", (i + 1) + ".5"),
                        new ModelRevenue(m[2], 1, "3", "3", "1", "0.000001"))));
            }
            await().atMost(Duration.ofSeconds(120)).until(() -> epochs.stream().allMatch(n -> {
                var r = given().get("/api/v1/epochs/" + n);
                return r.statusCode() == 200 && "PUBLISHED".equals(r.jsonPath().getString("state"));
            }));
            assertThat(replica.isAlive()).isTrue();

            Map<String, Integer> claimedBy = new TreeMap<>();
            for (int i = 0; i < EPOCHS; i++) {
                long n = epochs.get(i);
                String[] m = models.get(i);
                JsonPath e = epoch(n);
                claimedBy.merge(String.valueOf(fx.row("SELECT claimed_by FROM epoch WHERE epoch_idx = $1", n).string("claimed_by")), 1, Integer::sum);
                // the ledger moved exactly the explained parts: once
                for (int k = 0; k < 4; k += 2) {
                    String dep = m[k], owner = m[k + 1];
                    JsonPath model = model(e, dep);
                    assertThat(fx.flock(owner, LedgerAccount.Kind.USER))
                            .isEqualTo(model.getString("ownerPart"));
                    assertThat(fx.flock(dep, LedgerAccount.Kind.STAKER_REWARDS))
                            .isEqualTo(model.getString("stakersPart"));
                }
                assertThat(io.fomo.shared.money.Amount.parse(io.fomo.shared.money.Token.FLOCK, e.getString("emitted"))
                        .plus(io.fomo.shared.money.Amount.parse(io.fomo.shared.money.Token.FLOCK, e.getString("dust"))).toDecimalString())
                        .isEqualTo("100000");
                assertThat(fx.count("SELECT count(*) AS n FROM fomo_outbox WHERE event_id = $1", "EmissionAllocated:" + n))
                        .isEqualTo(1);
                assertThat(fx.count("SELECT count(*) AS n FROM fomo_inbox WHERE event_id = $1", "EpochClosed:" + n))
                        .as("the shared inbox took each EpochClosed once, whichever replica got it first").isEqualTo(1);
            }
            System.out.println("TwoReplicasQuarkusTest: epochs claimed by replica " + claimedBy);
        }
    }
}
