package io.fomo.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The same story with two replicas of billing, staking and emission running side by side (same databases, competing for the
 * same queues), and services killed with {@code kill -9} in the middle of the offering's close and of the window's
 * settlement, then restarted: the end state must be exactly the one the rules give ({@link StoryExpectations}), the
 * same as the undisturbed run of {@link StorySystemTest}.
 *
 * <ul>
 * <li><b>The close</b>: when the story announces the close, the treasury (the ledger) is killed, so rmo's close starts
 * at closesAt and stops halfway (its phase recorded, the ledger unreachable); then rmo itself is killed in the middle
 * of that close. The treasury comes back, then rmo, which resumes the close from its database once the dead
 * replica's lease expires.</li>
 * <li><b>The settlement</b>: right after the requests are captured, the treasury and the first billing replica are
 * killed before the window is split: billing's second replica settles the window, the {@code WindowSettled} event
 * waits in the durable queue, and the restarted treasury splits it once.</li>
 * </ul>
 */
class CrashAndReplicasSystemTest {

    @Test
    void killsAndSecondReplicasChangeNoResult() {
        try (Suite suite = Suite.start("system_crash_test", true)) {
            List<String> happened = new ArrayList<>();
            DemoRun demo = new DemoRun()
                    .when("The offering closes at closesAt", line -> {
                        suite.treasury.kill9();
                        JsonNode stuck = awaitCloseStarted(suite);
                        assertThat(stuck.path("state").asText()).as("the close cannot finish without the ledger").isNotEqualTo("LIVE");
                        happened.add("close stopped at phase " + stuck.path("close").path("phase").asText()
                                + " with the ledger down; rmo killed there");
                        suite.rmo.kill9();
                        suite.treasury.restart();
                        suite.rmo.restart();
                    })
                    .when("The settlement window closes", line -> {
                        String deploymentId = awaitCloseStarted(suite).path("deploymentId").asText();
                        JsonNode splits = StoryExpectations.get(
                                suite.treasury.url() + "/api/v1/splits?deploymentId=" + deploymentId, null);
                        happened.add("splits before the kill: " + splits.size());
                        suite.treasury.kill9();
                        suite.billing.kill9();
                        CompletableFuture<Void> b = CompletableFuture.runAsync(suite.billing::restart);
                        suite.treasury.restart();
                        b.join();
                    });
            DemoRun.Outcome outcome = demo.run(suite);
            System.out.println("crashes: " + happened);
            assertThat(happened).as("both crashes happened").hasSize(2);
            assertThat(happened.get(1)).isEqualTo("splits before the kill: 0");
            assertThat(suite.billing2.isAlive()).isTrue();
            assertThat(suite.emission2.isAlive()).isTrue();
            assertThat(suite.staking2.isAlive()).isTrue();
            StoryExpectations.assertStory(suite, outcome);
        }
    }

    /** The story's offering once its close has begun (a phase is recorded). */
    private static JsonNode awaitCloseStarted(Suite suite) {
        return Awaitility.await("rmo's close to start and stop halfway").atMost(java.time.Duration.ofSeconds(60))
                .pollInterval(java.time.Duration.ofMillis(200))
                .until(() -> {
                    JsonNode list = StoryExpectations.get(suite.rmo.url() + "/api/v1/offerings", null);
                    for (JsonNode o : list.isArray() ? list : list.path("offerings")) {
                        if (o.path("close").hasNonNull("phase")) {
                            return o;
                        }
                    }
                    return null;
                }, o -> o != null);
    }
}
