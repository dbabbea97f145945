package io.fomo.shared.events;

import static io.fomo.shared.events.Transactions.inTransaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.fomo.testkit.TestDatabase;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;

/**
 * Issue #19 against the real PostgreSQL: an effect that waits for another fact parks its event (acknowledged, nothing
 * applied), the parked-events job applies it once the fact arrives, exactly once whatever the order and the duplicates;
 * a transient failure parks too and applies when it clears; an event that can never apply is a dead letter that an
 * operator re-drives.
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class ParkingTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    WaitingConsumer consumer;

    @Inject
    Inbox inbox;

    /**
     * The property (SPEC §1 "every message effective once", issue #19): for random sets of events, each waiting for one
     * of a few facts, delivered 1-3 times, with each fact arriving 1-2 times, all in a random interleaving and partly at
     * the same time, every event is applied exactly once and nothing stays parked. Generated from printed seeds (jqwik
     * cannot reach a Quarkus application's beans: its engine does not run in Quarkus' class loader), so a failing
     * interleaving replays with {@code -Dparking.seed=<seed>}.
     */
    @Test
    void everyWaitingEventIsAppliedExactlyOnceWhateverTheInterleaving() {
        String fixed = System.getProperty("parking.seed");
        long base = fixed != null ? Long.parseLong(fixed) : new Random().nextLong();
        int tries = fixed != null ? 1 : 12;
        for (int i = 0; i < tries; i++) {
            long seed = base + i;
            System.out.println("ParkingTest interleaving seed " + seed);
            interleaving(seed);
        }
    }

    private void interleaving(long seed) {
        Random random = new Random(seed);
        String run = UUID.randomUUID().toString().substring(0, 8);
        int facts = 1 + random.nextInt(3);
        int events = 1 + random.nextInt(6);
        List<Uni<Void>> ops = new ArrayList<>();
        List<String> counters = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int e = 0; e < events; e++) {
            String id = run + "-e" + e;
            String fact = run + "-f" + random.nextInt(facts);
            String counter = "applied-" + id;
            ids.add(id);
            counters.add(counter);
            int copies = 1 + random.nextInt(3);
            for (int c = 0; c < copies; c++) {
                ops.add(Uni.createFrom().deferred(() -> consumer.deliver(WaitingConsumer.WAITING, id,
                        new CounterBumped(fact + "|" + counter, 1))));
            }
        }
        for (int f = 0; f < facts; f++) {
            String fact = run + "-f" + f;
            int copies = 1 + random.nextInt(2);
            for (int c = 0; c < copies; c++) {
                ops.add(Uni.createFrom().deferred(() -> consumer.recordFact(fact))
                        .onFailure().retry().withBackOff(Duration.ofMillis(20)).atMost(5));
            }
        }
        Collections.shuffle(ops, random);
        // run in groups of 1-3 operations at the same time, group after group
        for (int at = 0; at < ops.size();) {
            int n = Math.min(ops.size() - at, 1 + random.nextInt(3));
            List<Uni<Void>> group = ops.subList(at, at + n);
            Uni.join().all(group).andFailFast().await().atMost(WAIT);
            at += n;
        }
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            for (String counter : counters) {
                assertThat(counter(counter)).as("seed %d: %s applied once", seed, counter).isEqualTo(1L);
            }
            assertThat(parkedOf(ids)).as("seed %d: nothing left parked", seed).isZero();
        });
        // late duplicates change nothing
        for (int e = 0; e < events; e++) {
            String id = ids.get(e);
            consumer.deliver(WaitingConsumer.WAITING, id, new CounterBumped(run + "-f0|" + counters.get(e), 1)).await().atMost(WAIT);
        }
        for (String counter : counters) {
            assertThat(counter(counter)).as("seed %d: %s after late duplicates", seed, counter).isEqualTo(1L);
        }
        assertThat(parkedOf(ids)).isZero();
    }

    @Test
    void aParkedEventShowsWhatItWaitsForAndAReDeliveredCopyChangesNothing() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String id = run + "-waits";
        CounterBumped bump = new CounterBumped(run + "-fact|" + "applied-" + id, 1);
        consumer.deliver(WaitingConsumer.WAITING, id, bump).await().atMost(WAIT);
        ParkedEvent parked = inbox.parked(WaitingConsumer.WAITING, id).await().atMost(WAIT).orElseThrow();
        assertThat(parked.waitingFor()).isEqualTo(WaitingConsumer.factKey(run + "-fact"));
        assertThat(parked.reason()).contains("not recorded yet");
        assertThat(parked.attempts()).isGreaterThanOrEqualTo(1);
        assertThat(parked.type()).isEqualTo("CounterBumped");
        assertThat(inbox.parked(WaitingConsumer.WAITING, 1000).await().atMost(WAIT)).anyMatch(p -> p.eventId().equals(id));

        consumer.deliver(WaitingConsumer.WAITING, id, bump).await().atMost(WAIT);
        ParkedEvent again = inbox.parked(WaitingConsumer.WAITING, id).await().atMost(WAIT).orElseThrow();
        assertThat(again.parkedAt()).isEqualTo(parked.parkedAt());
        assertThat(counter("applied-" + id)).isNull();

        // the back-off keeps trying without the fact: attempts grow, nothing applied, no dead letter
        await().atMost(WAIT).until(() -> inbox.parked(WaitingConsumer.WAITING, id).await().atMost(WAIT)
                .map(p -> p.attempts() >= 3).orElse(false));
        assertThat(counter("applied-" + id)).isNull();

        consumer.recordFact(run + "-fact").await().atMost(WAIT);
        await().atMost(WAIT).until(() -> inbox.parked(WaitingConsumer.WAITING, id).await().atMost(WAIT).isEmpty());
        assertThat(counter("applied-" + id)).isEqualTo(1L);
    }

    @Test
    void aTransientFailureParksAfterTheRetriesAndAppliesWhenItClears() {
        String name = "flaky-" + UUID.randomUUID();
        String id = name + "-e";
        consumer.breakDown(name);
        try {
            consumer.deliver(WaitingConsumer.FLAKY, id, new CounterBumped(name, 4)).await().atMost(WAIT);
            ParkedEvent parked = inbox.parked(WaitingConsumer.FLAKY, id).await().atMost(WAIT).orElseThrow();
            assertThat(parked.waitingFor()).isEqualTo(EventFailure.RETRY);
            assertThat(parked.reason()).contains("the counter store is down");
            assertThat(counter(name)).isNull();
        } finally {
            consumer.repair(name);
        }
        await().atMost(WAIT).until(() -> inbox.parked(WaitingConsumer.FLAKY, id).await().atMost(WAIT).isEmpty());
        assertThat(counter(name)).isEqualTo(4L);
        assertThat(inbox.deadLetters(WaitingConsumer.FLAKY, null, 1000).await().atMost(WAIT))
                .noneMatch(d -> id.equals(d.eventId()));
    }

    @Test
    void anEventThatCanNeverApplyIsADeadLetterAndEachReDriveIsRecorded() {
        String name = "poison-" + UUID.randomUUID();
        String id = name + "-e";
        consumer.deliver(WaitingConsumer.FLAKY, id, new CounterBumped(name, -1)).await().atMost(WAIT);
        assertThat(inbox.parked(WaitingConsumer.FLAKY, id).await().atMost(WAIT)).isEmpty();
        DeadLetter dead = inbox.deadLetters(WaitingConsumer.FLAKY, DeadLetter.State.OPEN, 1000).await().atMost(WAIT).stream()
                .filter(d -> id.equals(d.eventId())).findFirst().orElseThrow();
        assertThat(dead.reason()).contains("never negative");
        assertThat(dead.routingKey()).isEqualTo("CounterBumped");
        assertThat(dead.userId()).isEqualTo("fomo-shared");

        // a re-delivered copy of the poison event adds no second dead letter
        consumer.deliver(WaitingConsumer.FLAKY, id, new CounterBumped(name, -1)).await().atMost(WAIT);
        assertThat(inbox.deadLetters(WaitingConsumer.FLAKY, null, 1000).await().atMost(WAIT))
                .filteredOn(d -> id.equals(d.eventId())).hasSize(1);

        DeadLetter refused = inbox.redrive(dead.id(), "alice").await().atMost(WAIT);
        assertThat(refused.state()).isEqualTo(DeadLetter.State.OPEN);
        assertThat(refused.redrives()).singleElement().satisfies(r -> {
            assertThat(r.operator()).isEqualTo("alice");
            assertThat(r.outcome()).isEqualTo(DeadLetter.Outcome.REFUSED);
            assertThat(r.reason()).contains("never negative");
            assertThat(r.at()).isNotNull();
        });
        assertThat(counter(name)).isNull();
    }

    @Test
    void aReDriveAppliesOnceAndAReDriveOfAnAppliedEventChangesNothing() {
        String name = "redrive-" + UUID.randomUUID();
        String id = name + "-e";
        // an event that failed validation then (say, before a fix): recorded by hand as the inbox would
        long deadId = inTransaction(() -> io.quarkus.hibernate.reactive.panache.Panache.getSession().flatMap(s -> s
                .createNativeQuery("INSERT INTO fomo_dead_letter (consumer, event_id, type, body, routing_key, user_id, reason,"
                        + " dead_at) VALUES (?1, ?2, 'CounterBumped', ?3, 'CounterBumped', 'fomo-shared', 'was invalid', now())"
                        + " RETURNING id", Long.class)
                .setParameter(1, WaitingConsumer.FLAKY).setParameter(2, id)
                .setParameter(3, "{\"eventId\":\"" + id + "\",\"type\":\"CounterBumped\",\"version\":1,"
                        + "\"occurredAt\":\"2026-01-01T00:00:00Z\",\"source\":\"test\",\"payload\":{\"name\":\"" + name
                        + "\",\"by\":3}}")
                .getSingleResult()));
        DeadLetter first = inbox.redrive(deadId, "bob").await().atMost(WAIT);
        assertThat(first.state()).isEqualTo(DeadLetter.State.RESOLVED);
        assertThat(first.redrives()).singleElement().satisfies(r -> assertThat(r.outcome()).isEqualTo(DeadLetter.Outcome.APPLIED));
        assertThat(counter(name)).isEqualTo(3L);

        DeadLetter second = inbox.redrive(deadId, "carol").await().atMost(WAIT);
        assertThat(second.redrives()).extracting(DeadLetter.Redrive::outcome)
                .containsExactly(DeadLetter.Outcome.APPLIED, DeadLetter.Outcome.ALREADY_APPLIED);
        assertThat(second.redrives()).extracting(DeadLetter.Redrive::operator).containsExactly("bob", "carol");
        assertThat(counter(name)).isEqualTo(3L);
    }

    private Long counter(String name) {
        TestCounter c = inTransaction(() -> TestCounter.findById(name));
        return c == null ? null : c.value;
    }

    private long parkedOf(List<String> ids) {
        return inbox.parked(WaitingConsumer.WAITING, 1000).await().atMost(WAIT).stream()
                .filter(p -> ids.contains(p.eventId())).count();
    }
}
