package io.fomo.shared.events;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.event.Observes;
import io.fomo.shared.db.Db;
import io.fomo.shared.db.DbRow;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.rabbitmq.OutgoingRabbitMQMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Publishes committed outbox rows to RabbitMQ (exchange {@code fomo.events.exchange}, routing key = event
 * type) with publisher confirms, then marks them published.
 *
 * <p>Any number of replicas may run it: a replica claims a batch with {@code FOR UPDATE SKIP LOCKED} and a
 * lease ({@code claimed_until}), commits, publishes, and only then marks the rows. No database lock is held
 * while talking to the broker. A replica that dies mid-batch leaves its lease to expire and another
 * publishes the rows again: delivery is at least once, and the consumers' inbox makes the effect once.
 *
 * <p>Every message carries the AMQP {@code user_id} property set to the RabbitMQ user the relay connects as
 * ({@code mp.messaging.outgoing.fomo-events-out.username}, else {@code rabbitmq-username}): RabbitMQ refuses the publish
 * if it is not the connection's user, and the consumers' {@link Inbox} refuses an event whose {@code user_id} is not
 * its type's producer ({@link EventProducers}).
 *
 * <p>A row enqueued under a trace ({@link EventTrace}, issue #20) is published with the {@code traceparent} and
 * {@code tracestate} headers the outbox recorded, so the consumer's effect continues that trace; a row without one is
 * published without them.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    private static final String CLAIM = """
            UPDATE fomo_outbox SET claimed_until = now() + make_interval(secs => $1)
             WHERE id IN (SELECT id FROM fomo_outbox
                           WHERE published_at IS NULL AND (claimed_until IS NULL OR claimed_until < now())
                           ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
            RETURNING id, event_id, type, envelope, traceparent, tracestate""";

    private static final String MARK_PUBLISHED = "UPDATE fomo_outbox SET published_at = now() WHERE id = ANY($1)";

    @Inject
    Db db;

    @Inject
    @Channel("fomo-events-out")
    MutinyEmitter<String> emitter;

    @ConfigProperty(name = "fomo.outbox.enabled", defaultValue = "true")
    boolean enabled;

    @ConfigProperty(name = "fomo.outbox.batch-size", defaultValue = "200")
    int batchSize;

    @ConfigProperty(name = "fomo.outbox.lease", defaultValue = "PT30S")
    Duration lease;

    /** The RabbitMQ user of the outgoing channel, stamped as {@code user_id} on every message (issue #17). */
    @ConfigProperty(name = "mp.messaging.outgoing.fomo-events-out.username")
    Optional<String> channelUser;

    @ConfigProperty(name = "rabbitmq-username")
    Optional<String> connectorUser;

    private final AtomicBoolean running = new AtomicBoolean();
    private final Counter published;

    @Inject
    public OutboxRelay(MeterRegistry registry) {
        this.published = Counter.builder("fomo.outbox.published").description("Outbox events published").register(registry);
    }

    @ConfigProperty(name = "fomo.outbox.poll-interval", defaultValue = "PT0.25S")
    Duration pollInterval;

    private long timerId = -1;

    /** Polls on a Vert.x timer (the Quarkus scheduler cannot go below one second). */
    void start(@Observes StartupEvent event, Vertx vertx) {
        if (enabled) {
            timerId = vertx.setPeriodic(pollInterval.toMillis(), id -> drain().subscribe().with(x -> { }));
        }
    }

    void stop(@Observes ShutdownEvent event, Vertx vertx) {
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
        }
    }

    /** Publishes every publishable row, batch after batch. Safe to call concurrently. */
    public Uni<Void> drain() {
        if (!enabled || !running.compareAndSet(false, true)) {
            return Uni.createFrom().voidItem();
        }
        return publishBatch()
                .repeat().until(count -> count < batchSize)
                .collect().last()
                .replaceWithVoid()
                .onFailure().invoke(e -> LOG.warnf("outbox relay: %s (will retry)", e.getMessage()))
                .onFailure().recoverWithNull()
                .eventually(() -> running.set(false));
    }

    private Uni<Integer> publishBatch() {
        return db.transaction(tx -> tx.rows(CLAIM, lease.toSeconds(), batchSize))
                .flatMap(rows -> {
                    List<Long> ids = new ArrayList<>();
                    List<Uni<Void>> sends = new ArrayList<>();
                    for (DbRow row : rows) {
                        ids.add(row.longValue("id"));
                        sends.add(send(row.string("event_id"), row.string("type"), row.string("envelope"),
                                EventTrace.of(row.string("traceparent"), row.string("tracestate"))));
                    }
                    if (ids.isEmpty()) {
                        return Uni.createFrom().item(0);
                    }
                    // Sends keep their order; each completes on the broker's confirm.
                    return Multi.createFrom().iterable(sends).onItem().transformToUniAndConcatenate(u -> u)
                            .collect().last()
                            .flatMap(x -> db.transaction(tx -> tx.update(MARK_PUBLISHED, (Object) ids.toArray(new Long[0]))))
                            .invoke(() -> published.increment(ids.size()))
                            .replaceWith(ids.size());
                });
    }

    private Uni<Void> send(String eventId, String type, String envelope, EventTrace trace) {
        var builder = OutgoingRabbitMQMetadata.builder();
        channelUser.or(() -> connectorUser).ifPresent(builder::withUserId);
        trace.headers().forEach(builder::withHeader);
        var metadata = builder
                .withRoutingKey(type)
                .withMessageId(eventId)
                .withContentType("application/json")
                .withDeliveryMode(2) // persistent
                .build();
        return emitter.sendMessage(Message.of(envelope).addMetadata(metadata));
    }
}
