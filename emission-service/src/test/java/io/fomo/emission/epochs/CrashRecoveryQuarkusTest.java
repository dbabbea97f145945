package io.fomo.emission.epochs;

import static io.fomo.emission.EmissionFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.fomo.emission.EmissionFixtures;
import io.fomo.shared.ledger.LedgerAccount;
import io.fomo.shared.events.types.EpochClosed;
import io.fomo.shared.events.types.EpochClosed.ModelRevenue;
import io.fomo.testkit.ServiceProcessResource;
import io.fomo.testkit.TestDatabase;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;

/**
 * A crash between the ledger batch and the event (the {@link CrashHook} stops the replica's pass right after the ledger
 * committed, leaving its lease to expire like a killed process): the recovery resumes the epoch, the ledger answers
 * the same batch as a replay, and the event goes out once. No second emission.
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = ServiceProcessResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "service", value = "treasury"))
class CrashRecoveryQuarkusTest {

    @Inject
    EmissionFixtures fx;

    @Inject
    CrashHook crashHook;

    @Test
    void aCrashBetweenTheBatchAndTheEventResumesWithoutASecondEmission() {
        long n = epochNumber();
        Instant start = Instant.parse("2026-11-20T00:00:00Z");
        String d = id("dep-crash");
        String owner = id("owner-crash");
        fx.listen();
        fx.publish("DeploymentLive:" + d, live(d, owner, start.minusSeconds(60 * 86_400L)));
        fx.awaitProjected(d);

        crashHook.crashAfterLedger(n);
        fx.publish("EpochClosed:" + n, new EpochClosed(n, start, start.plusSeconds(86_400L),
                List.of(new ModelRevenue(d, 5, "10", "9", "4", "5"))));

        // the batch reached the ledger, and the replica "died" before recording it: the epoch is still PLANNED
        await().atMost(WAIT).until(() -> !"0".equals(fx.flock(owner, LedgerAccount.Kind.USER)));
        assertThat(epoch(n).getString("state")).isEqualTo("PLANNED");
        assertThat(fx.flock(owner, LedgerAccount.Kind.USER)).isEqualTo("10000");
        assertThat(received("EmissionAllocated:" + n)).isEmpty();

        // the lease expires, the recovery resumes it: the ledger replays the batch, the event goes out once
        await().atMost(WAIT).until(() -> "PUBLISHED".equals(epoch(n).getString("state")));
        JsonPath e = epoch(n);
        assertThat(e.getBoolean("ledgerReplayed")).as("the resumed batch was the ledger's replay").isTrue();
        assertThat(e.getString("emitted")).isEqualTo("100000");
        assertThat(fx.flock(owner, LedgerAccount.Kind.USER)).isEqualTo("10000");
        assertThat(fx.flock(d, LedgerAccount.Kind.STAKER_REWARDS)).isEqualTo("90000");
        await().atMost(WAIT).until(() -> received("EmissionAllocated:" + n).size() == 1);
        assertThat(fx.count("SELECT count(*) AS n FROM fomo_outbox WHERE event_id = $1",
                "EmissionAllocated:" + n))
                .isEqualTo(1);
    }
}
