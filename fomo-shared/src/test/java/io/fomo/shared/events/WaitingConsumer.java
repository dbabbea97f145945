package io.fomo.shared.events;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.shared.db.Db;
import io.fomo.shared.db.Tx;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Test consumers of issue #19's parking, applied through {@link Inbox#handle} directly (no broker):
 * <ul>
 *   <li>{@value #WAITING}: a {@link CounterBumped} whose {@code name} is {@code <fact>|<counter>} bumps {@code counter}
 *       once the fact {@code <fact>} is recorded ({@link #recordFact}); before, it throws {@link AwaitingFact}
 *       {@code test-fact:<fact>};</li>
 *   <li>{@value #FLAKY}: bumps {@code name} unless {@code name} is in {@link #down} (then an {@link IllegalStateException},
 *       transient); a negative {@code by} is invalid ({@link IllegalArgumentException}, permanent).</li>
 * </ul>
 */
@ApplicationScoped
public class WaitingConsumer implements InboxConsumer {

    static final String WAITING = "test.waiting";
    static final String FLAKY = "test.flaky";

    /** Counters whose effect fails transiently now. */
    private final Set<String> down = ConcurrentHashMap.newKeySet();

    /** From now on the effect on counter {@code name} fails transiently (a method: a test holds a client proxy). */
    void breakDown(String name) {
        down.add(name);
    }

    void repair(String name) {
        down.remove(name);
    }

    @Inject
    ObjectMapper mapper;

    @Inject
    Db db;

    @Inject
    Inbox inbox;

    @Override
    public void registerEffects(Inbox inbox) {
        inbox.register(WAITING, this::waiting);
        inbox.register(FLAKY, this::flaky);
    }

    static String factKey(String fact) {
        return "test-fact:" + fact;
    }

    Uni<Void> waiting(Tx tx, EventEnvelope envelope) {
        CounterBumped bump = envelope.payloadAs(mapper, CounterBumped.class);
        String[] parts = bump.name().split("\\|", 2);
        return TestCounter.<TestCounter>findById("fact:" + parts[0]).flatMap(fact -> {
            if (fact == null) {
                return Uni.createFrom().failure(new AwaitingFact(factKey(parts[0]), "fact " + parts[0] + " not recorded yet"));
            }
            return CounterConsumer.bump(parts[1], bump.by());
        });
    }

    Uni<Void> flaky(Tx tx, EventEnvelope envelope) {
        CounterBumped bump = envelope.payloadAs(mapper, CounterBumped.class);
        if (bump.by() < 0) {
            throw new IllegalArgumentException("a bump is never negative: " + bump.by());
        }
        if (down.contains(bump.name())) {
            return Uni.createFrom().failure(new IllegalStateException("the counter store is down"));
        }
        return CounterConsumer.bump(bump.name(), bump.by());
    }

    /** Records {@code fact} (again: no change) and wakes the events waiting for it, in one transaction. */
    Uni<Void> recordFact(String fact) {
        return db.transaction(tx -> CounterConsumer.bump("fact:" + fact, 1).flatMap(x -> inbox.factArrived(tx, factKey(fact))));
    }

    /** Delivers {@code bump} as event {@code eventId} to {@code consumer}, as the producer "shared" would. */
    Uni<Void> deliver(String consumer, String eventId, CounterBumped bump) {
        String json = mapper.valueToTree(new EventEnvelope(eventId, "CounterBumped", 1, java.time.Instant.now(), "test",
                mapper.valueToTree(bump))).toString();
        return inbox.handle(consumer, json, "CounterBumped", "fomo-shared", EventTrace.NONE,
                WAITING.equals(consumer) ? this::waiting : this::flaky);
    }
}
