package io.fomo.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.fomo.testkit.ServiceProcess;

/**
 * Issue #19, "kills at random points": the story ({@link PatientStory}: two models of Alice's launched together, one
 * oversubscribed and one not, used by Bob, Carol and Dave, staked by Bob and Dave, over one or more epochs; told by a
 * client that retries while a service does not answer, as any client of a restarting service does) runs N times,
 * each on a fresh suite, and each time one service chosen by the run's seed is killed with {@code kill -9} at a moment
 * chosen by the seed, then restarted. Each run must end in <b>exactly</b> the state of an uninterrupted run with the
 * same inputs: the numbers {@link PatientStoryExpectations} computes from the spec's rules (both launches, every
 * receipt, split, buyback, pool reserve, burned supply, each epoch's ages, factors, scores and allocations, each
 * staker's reward, the balances, billing's credits and the audit; the windows and epochs the requests fell into are the
 * clock's, and the rules give each one's numbers), and nothing in a dead-letter queue.
 *
 * <p>{@code -Dfomo.kills.runs=N} (default {@value #DEFAULT_RUNS}: each run starts the five services, about three
 * minutes on 2 cores) draws N seeds; {@code -Dfomo.kills.seeds=123,456} replays those. N, the seeds, and for each what
 * was killed when, are printed.
 */
class RandomKillsSystemTest {

    static final int DEFAULT_RUNS = 2;
    /** The kill comes within this long after the story starts (the story itself takes about a minute and a half). */
    static final Duration LATEST_KILL = Duration.ofSeconds(90);
    private static final String[] SERVICES = {"treasury", "rmo", "billing", "staking", "emission"};

    static Stream<Long> seeds() {
        String given = System.getProperty("fomo.kills.seeds", "").trim();
        List<Long> seeds = new ArrayList<>();
        if (!given.isEmpty()) {
            Arrays.stream(given.split(",")).map(String::trim).map(Long::parseLong).forEach(seeds::add);
        } else {
            Random r = new Random();
            int runs = Integer.getInteger("fomo.kills.runs", DEFAULT_RUNS);
            for (int i = 0; i < runs; i++) {
                seeds.add(r.nextLong() & 0xFFFF_FFFFL);
            }
        }
        System.out.println("RandomKillsSystemTest: N = " + seeds.size() + ", seeds = " + seeds
                + " (replay with -Dfomo.kills.seeds=" + String.join(",", seeds.stream().map(String::valueOf).toList()) + ")");
        return seeds.stream();
    }

    @BeforeAll
    static void announce() {
        System.out.println("RandomKillsSystemTest: one service killed with kill -9 at a random moment of each run");
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void aKillAtARandomMomentChangesNoResult(long seed) {
        Random random = new Random(seed);
        String victim = SERVICES[random.nextInt(SERVICES.length)];
        long delayMs = 1_000 + (long) (random.nextDouble() * (LATEST_KILL.toMillis() - 1_000));
        String plan = "seed " + seed + ": kill -9 of " + victim + " " + delayMs + " ms into the story, then its restart";
        System.out.println("RandomKillsSystemTest " + plan);
        try (Suite suite = Suite.start("system_kills_test", false)) {
            Instant start = Instant.now();
            CompletableFuture<String> kill = CompletableFuture.supplyAsync(() -> {
                sleep(delayMs); // the random moment: a delay, not a wait for a condition
                ServiceProcess p = process(suite, victim);
                p.kill9();
                Instant killed = Instant.now();
                p.restart();
                return victim + " killed at +" + Duration.between(start, killed).toMillis() + " ms, back after "
                        + Duration.between(killed, Instant.now()).toSeconds() + " s";
            });
            DemoRun.Outcome outcome;
            try {
                outcome = new PatientStory(suite).run();
            } catch (RuntimeException e) {
                throw new AssertionError(plan + ": the story could not go on (" + kill.getNow("kill not yet done") + ")", e);
            }
            String happened = kill.join();
            System.out.println("RandomKillsSystemTest seed " + seed + ": the story took "
                    + Duration.between(start, Instant.now()).toSeconds() + " s");
            System.out.println("RandomKillsSystemTest seed " + seed + ": " + happened);
            try {
                StoryExpectations.assertPatientStory(suite, outcome);
                assertThat(suite.deadLetterQueueCounts()).as("messages in the dead-letter queues")
                        .allSatisfy((q, n) -> assertThat(n).as(q).isZero());
            } catch (AssertionError e) {
                throw new AssertionError(plan + " (" + happened + "): " + e.getMessage(), e);
            }
            System.out.println("RandomKillsSystemTest seed " + seed + ": the same state as an uninterrupted run, "
                    + Duration.between(start, Instant.now()).toSeconds() + " s after the story started");
        }
    }

    static ServiceProcess process(Suite s, String service) {
        return switch (service) {
            case "treasury" -> s.treasury;
            case "rmo" -> s.rmo;
            case "billing" -> s.billing;
            case "staking" -> s.staking;
            case "emission" -> s.emission;
            default -> throw new IllegalArgumentException(service);
        };
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
