package io.fomo.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;

import io.fomo.testkit.KeycloakTokens;

/**
 * SPEC §1's story on the five services as real processes (one of each), told by the demo client through the public
 * interfaces with real Keycloak tokens, and its end state checked to the base unit against the rules
 * ({@link StoryExpectations}); then, on the same suite, the story's model over time (SPEC §7a, issue #22): re-priced
 * and delisted through the public interfaces.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StorySystemTest {

    /** rmo's re-price notice and settlement window in the system tests ({@link Suite#RMO_PACE}). */
    static final Duration NOTICE = Duration.ofSeconds(10);
    static final Duration WINDOW = Duration.ofSeconds(5);
    /** Billing's epoch in the system tests ({@link Suite#PACE}). */
    static final Duration EPOCH = Duration.ofSeconds(20);

    private Suite suite;
    private DemoRun.Outcome outcome;

    @BeforeAll
    void theStory() {
        suite = Suite.start("system_test", false);
        outcome = new DemoRun().run(suite);
    }

    @AfterAll
    void stop() {
        if (suite != null) {
            suite.close();
        }
    }

    @Test
    @Order(1)
    void theStoryEndsInTheNumbersTheRulesGive() {
        StoryExpectations.assertStory(suite, outcome);
    }

    /**
     * SPEC §7a: Alice re-prices QWENALICE; the new prices take effect at the first settlement window after the notice,
     * and a hold authorized before it is captured at the old prices; then she delists it: no new authorization, the
     * last window and epoch are settled, the deployment ends DELISTED with its last epoch, that epoch allocated to it
     * and no later one; its stakes remain (unstake works, a new stake is refused) and the audit stays ok.
     */
    @Test
    @Order(2)
    void aRepricedThenDelistedModelChargesTheOldPricesToEarlierHoldsAndEndsWithNoFurtherEmission() {
        String deploymentId = outcome.summary().path("deploymentId").asText();
        String carolId = outcome.summary().path("carol").asText();
        String alice = KeycloakTokens.user("alice");
        String run = suite.run;

        // The re-price: effective at the first window start at or after announcedAt + notice.
        JsonNode price = Calls.post(suite.rmo.url() + "/api/v1/deployments/" + deploymentId + "/prices", alice,
                Calls.obj("inputPricePerMillion", "1.00", "outputPricePerMillion", "3.00",
                        "idempotencyKey", "reprice-" + run), null);
        Instant announced = Instant.parse(price.path("announcedAt").asText());
        Instant effective = Instant.parse(price.path("effectiveFrom").asText());
        assertThat(price.path("version").asLong()).isEqualTo(1);
        assertThat(effective.toEpochMilli() % WINDOW.toMillis()).as("effectiveFrom on the window grid").isZero();
        assertThat(effective).isAfterOrEqualTo(announced.plus(NOTICE)).isBefore(announced.plus(NOTICE).plus(WINDOW));

        try (Calls.Billing billing = new Calls.Billing(suite.billing.grpcPort(), () -> KeycloakTokens.service("api-platform"))) {
            // A hold authorized before the new prices take effect, captured after: the old prices (0.50 / 1.50).
            Map<Integer, Object> before = billing.authorize("reprice-before-" + run, carolId, deploymentId, 10_000, 2_000);
            assertThat(Instant.now()).as("the hold was authorized before effectiveFrom").isBefore(effective);
            Calls.await("the new prices' window", Duration.ofMinutes(1),
                    () -> Instant.now().isAfter(effective.plusMillis(500)) ? true : null);
            Map<Integer, Object> old = billing.capture("reprice-before-" + run, Calls.text(before, 1), 10_000, 2_000);
            assertThat(usdc(Calls.text(old, 2))).as("gross at the old prices").isEqualTo(usdc("0.008"));

            // A request authorized after: the new prices (1.00 / 3.00).
            Map<Integer, Object> after = billing.authorize("reprice-after-" + run, carolId, deploymentId, 10_000, 2_000);
            Map<Integer, Object> now = billing.capture("reprice-after-" + run, Calls.text(after, 1), 10_000, 2_000);
            assertThat(usdc(Calls.text(now, 2))).as("gross at the new prices").isEqualTo(usdc("0.016"));
            Instant lastCapture = Instant.now();
            JsonNode history = Calls.get(suite.rmo.url() + "/api/v1/deployments/" + deploymentId + "/prices", null);
            assertThat(history.path("inForce").path("version").asLong()).isEqualTo(1);
            assertThat(history.path("prices")).hasSize(2);

            // The delisting: no new authorization (billing learns it by event) ...
            JsonNode delisting = Calls.post(suite.rmo.url() + "/api/v1/deployments/" + deploymentId + "/delist", alice,
                    Calls.obj("reason", "the story's model retires", "idempotencyKey", "delist-" + run), null);
            assertThat(delisting.path("state").asText()).isIn("DELISTING", "DELISTED");
            int[] probes = {0};
            Calls.Refused refused = Calls.await("billing to refuse authorizations", Duration.ofMinutes(1), () -> {
                String id = "delisted-probe-" + run + "-" + probes[0]++;
                try {
                    Map<Integer, Object> hold = billing.authorize(id, carolId, deploymentId, 1, 1);
                    billing.release(id, Calls.text(hold, 1));
                    return null;
                } catch (Calls.Refused e) {
                    return e;
                }
            });
            assertThat(refused.code).isEqualTo("FAILED_PRECONDITION");
            assertThat(refused.body.asText()).startsWith("DEPLOYMENT_DELISTED");

            // ... its last window and epoch settled, then DELISTED with the epoch of its last capture.
            JsonNode delisted = Calls.await("the deployment to be DELISTED", Duration.ofMinutes(3), () -> {
                JsonNode d = Calls.get(suite.rmo.url() + "/api/v1/deployments/" + deploymentId, null);
                return "DELISTED".equals(d.path("state").asText()) ? d : null;
            });
            long lastEpoch = delisted.path("lastEpoch").asLong();
            assertThat(lastEpoch).as("the epoch of the last capture")
                    .isEqualTo(lastCapture.toEpochMilli() / EPOCH.toMillis());
            // (emission shows an epoch while it waits, without allocations: wait for its allocation)
            JsonNode lastAllocation = Calls.await("emission of the last epoch " + lastEpoch, Duration.ofMinutes(2), () -> {
                JsonNode m = model(epoch(lastEpoch), deploymentId);
                return m != null && m.hasNonNull("allocation") ? m : null;
            });
            assertThat(StoryExpectations.units(lastAllocation.path("allocation").asText(), 18)).as("its last epoch's allocation")
                    .isPositive();

            // No emission after it: wait until emission has processed a later epoch or billing's next epoch is long
            // closed, then no epoch after the last one names the model.
            Instant nextEpochClosed = Instant.ofEpochMilli((lastEpoch + 2) * EPOCH.toMillis()).plusSeconds(10);
            Calls.await("the epoch after the last one to close", Duration.ofMinutes(2),
                    () -> Instant.now().isAfter(nextEpochClosed) ? true : null);
            for (JsonNode e : Calls.get(suite.emission.url() + "/api/v1/epochs?limit=500", null).path("epochs")) {
                if (e.path("epoch").asLong() > lastEpoch) {
                    assertThat(model(epoch(e.path("epoch").asLong()), deploymentId)).as("epoch %s", e.path("epoch")).isNull();
                }
            }
            assertThatThrownBy(() -> billing.authorize("delisted-after-" + run, carolId, deploymentId, 1, 1))
                    .isInstanceOf(Calls.Refused.class).hasMessageContaining("FAILED_PRECONDITION");
        }

        // Its MT, pool and stakes remain: Bob unstakes part of his stake; a new stake is refused.
        String bob = KeycloakTokens.user("bob");
        Calls.post(suite.staking.url() + "/api/v1/unstakes", bob,
                Calls.obj("deploymentId", deploymentId, "amount", "1000", "idempotencyKey", "unstake-" + run), null);
        assertThatThrownBy(() -> Calls.post(suite.staking.url() + "/api/v1/stakes", bob,
                Calls.obj("deploymentId", deploymentId, "amount", "1000", "idempotencyKey", "stake-" + run), null))
                .isInstanceOfSatisfying(Calls.Refused.class, e -> assertThat(e.code).isEqualTo("DEPLOYMENT_DELISTED"));
        JsonNode quote = Calls.get(suite.treasury.url() + "/api/v1/markets/QWENALICE-FLOCK/quote?tokenIn=FLOCK&amountIn=1", null);
        assertThat(quote.isObject()).as("the pool still quotes").isTrue();

        JsonNode audit = Calls.get(suite.treasury.url() + "/api/v1/audit", KeycloakTokens.user("op"));
        assertThat(audit.path("ok").asBoolean()).as("audit %s", audit).isTrue();
        assertThat(suite.deadLetterQueueCounts()).allSatisfy((q, n) -> assertThat(n).as(q).isZero());
    }

    private JsonNode epoch(long n) {
        try {
            return Calls.get(suite.emission.url() + "/api/v1/epochs/" + n, null);
        } catch (Calls.Refused e) {
            return null; // not processed yet
        }
    }

    private static JsonNode model(JsonNode epoch, String deploymentId) {
        if (epoch == null) {
            return null;
        }
        for (JsonNode m : epoch.path("models")) {
            if (deploymentId.equals(m.path("deploymentId").asText())) {
                return m;
            }
        }
        return null;
    }

    private static BigInteger usdc(String decimal) {
        return StoryExpectations.units(decimal, 6);
    }
}
