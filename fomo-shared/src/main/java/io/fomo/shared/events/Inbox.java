package io.fomo.shared.events;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Function;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.shared.db.Db;
import io.fomo.shared.db.Tx;
import io.fomo.shared.errors.ErrorCode;
import io.fomo.shared.events.EventFailure.Kind;
import io.fomo.shared.events.EventFailure.MalformedEvent;
import io.fomo.shared.events.EventFailure.Verdict;
import io.fomo.shared.ops.StuckWork;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.rabbitmq.IncomingRabbitMQMetadata;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

/**
 * The consumer side of SPEC §9's exactly-once messaging: the event's id is recorded in {@code fomo_inbox}
 * in the same transaction as its effect. A re-delivered event finds its id there, is acknowledged and skipped.
 *
 * <p><b>When the effect fails</b> (issue #19, docs/DESIGN.md "Parked events and dead letters"), the effect and the
 * inbox row roll back and {@link EventFailure#classify} decides, in one place:
 * <ul>
 *   <li>the effect waits for another fact ({@link AwaitingFact}): the event is <em>parked</em> in
 *       {@code fomo_parked_event} with that fact, in a transaction of its own, and acknowledged;</li>
 *   <li>a transient failure (database, broker or gRPC peer down, a timeout, an unknown exception): retried in memory
 *       ({@code fomo.inbox.max-retries}, back-off 100 ms to 5 s), then parked waiting for {@value EventFailure#RETRY};</li>
 *   <li>the event can never apply (malformed, refused by the producer check, failing validation): recorded as a
 *       <em>dead letter</em> in {@code fomo_dead_letter} as received (routing key, {@code user_id}), and acknowledged.</li>
 * </ul>
 * Only when that write itself fails is the message rejected to its queue's RabbitMQ dead-letter queue {@code <queue>.dlq}.
 * The {@link ParkedEventsJob} applies due parked events again through the same transaction (inbox row + effect + delete
 * of the parked row, so exactly once) with a bounded back-off ({@code fomo.inbox.park.backoff-initial} doubling to
 * {@code fomo.inbox.park.backoff-max}), without limit in time; {@link #factArrived} makes the events waiting for a fact
 * due at once. A re-delivered copy of a parked event is one more attempt in the same transaction (applied: unparked,
 * exactly once; failing: the parked row stays as it is, no second one). Each consumer's effect is known by its name at
 * startup ({@link InboxConsumer}, {@link #register}), so parked events apply after a restart without a new message.
 * Operators: {@code GET /api/v1/ops/parked}, {@code /api/v1/ops/dead-letters} (list, inspect, re-drive).
 *
 * <p>Before anything else the inbox checks the producer (issue #17, {@link EventProducers}): an event whose AMQP
 * {@code user_id} is not the RabbitMQ user of the service that publishes its type, or whose envelope type is not its
 * routing key, is refused: no effect, counted in {@code fomo.inbox.refused}, logged, and recorded as a dead letter.
 * {@code fomo.events.producer-check.enabled=false} turns the check off.
 *
 * <p>Traces (issue #20, {@link EventTrace}): a message that carries a {@code traceparent} header gets a consumer span
 * {@code <consumer> <type>} as a child of it, current while the effect runs (so the effect's own calls and the events it
 * enqueues continue the trace); a parked event keeps its trace context for its later attempts.
 *
 * <p>Why over 400 lines: a delivery, a parked event's later attempt and an operator's re-drive are one path (the same
 * producer check, the same inbox transaction, the same classification, the same registered effects); split across
 * classes, that path's private steps would have to become public API of the shared jar.
 */
@ApplicationScoped
public class Inbox {

    private static final Logger LOG = Logger.getLogger(Inbox.class);

    /** The parked-events job's name in {@link StuckWork}. */
    public static final String JOB = "inbox.parked-events";

    private final ObjectMapper mapper;
    private final Counter processed;
    private final Counter duplicates;

    private final MeterRegistry registry;

    @ConfigProperty(name = "fomo.inbox.max-retries", defaultValue = "5")
    int maxRetries;

    @ConfigProperty(name = "fomo.inbox.park.backoff-initial", defaultValue = "1s")
    Duration backoffInitial;

    @ConfigProperty(name = "fomo.inbox.park.backoff-max", defaultValue = "15s")
    Duration backoffMax;

    @ConfigProperty(name = "fomo.inbox.park.batch", defaultValue = "100")
    int batch;

    @ConfigProperty(name = "fomo.inbox.park.lease", defaultValue = "60s")
    Duration lease;

    @ConfigProperty(name = "fomo.events.producer-check.enabled", defaultValue = "true")
    boolean producerCheck;

    @ConfigProperty(name = "fomo.events.extra-producers")
    Optional<List<String>> extraProducers;

    private volatile EventProducers producers;

    private final Db db;

    /** Quarkus' OpenTelemetry (a no-op while {@code quarkus.otel.sdk.disabled=true}). */
    @Inject
    OpenTelemetry openTelemetry;

    @Inject
    StuckWork stuck;

    @Inject
    @Any
    Instance<InboxConsumer> consumers;

    private volatile Tracer tracer;

    /** Each consumer's effect by its name (issue #19): what a parked event or a re-drive applies. */
    private final Map<String, BiFunction<Tx, EventEnvelope, Uni<Void>>> effects = new ConcurrentHashMap<>();

    /** The parked events per consumer at the job's last count (the gauge {@code fomo.inbox.parked}). */
    private final Map<String, AtomicLong> parkedNow = new ConcurrentHashMap<>();

    @Inject
    public Inbox(ObjectMapper mapper, MeterRegistry registry, Db db) {
        this.mapper = mapper;
        this.db = db;
        this.registry = registry;
        this.processed = Counter.builder("fomo.inbox.processed").description("Events that took effect").register(registry);
        this.duplicates = Counter.builder("fomo.inbox.duplicates").description("Re-delivered events skipped").register(registry);
    }

    /** Every {@link InboxConsumer} registers its effects at startup. */
    void onStart(@Observes StartupEvent start) {
        for (InboxConsumer c : consumers) {
            c.registerEffects(this);
        }
        LOG.debugf("inbox: effects registered for %s", effects.keySet());
    }

    /**
     * Makes {@code effect} the effect of {@code consumer} for parked events and re-drives (issue #19). Call it at startup
     * ({@link InboxConsumer}) with the same effect {@link #handle} is given; a later registration replaces it.
     */
    public void register(String consumer, BiFunction<Tx, EventEnvelope, Uni<Void>> effect) {
        if (consumer == null || consumer.isBlank() || effect == null) {
            throw new IllegalArgumentException("an inbox registration needs a consumer name and an effect");
        }
        effects.put(consumer, effect);
        gauge(consumer);
    }

    /** The consumer names with a registered effect. */
    public java.util.Set<String> registered() {
        return java.util.Set.copyOf(effects.keySet());
    }

    /** The producer table this inbox checks against (built-in plus {@code fomo.events.extra-producers}). */
    public EventProducers producers() {
        EventProducers p = producers;
        if (p == null) {
            p = new EventProducers(extraProducers.orElse(List.of()));
            producers = p;
        }
        return p;
    }

    /** Parses a received message body (as the RabbitMQ connector hands it over) into an envelope. */
    public EventEnvelope parse(Object body) {
        try {
            EventEnvelope e = mapper.readValue(text(body), EventEnvelope.class);
            if (e == null || e.eventId() == null || e.eventId().isBlank() || e.type() == null || e.type().isBlank()) {
                throw new MalformedEvent("event envelope without eventId or type", null);
            }
            return e;
        } catch (JsonProcessingException e) {
            throw new MalformedEvent("malformed event envelope: " + e.getOriginalMessage(), e);
        }
    }

    private static String text(Object body) {
        if (body instanceof JsonObject o) {
            return o.encode();
        } else if (body instanceof String s) {
            return s;
        } else if (body instanceof byte[] b) {
            return new String(b, StandardCharsets.UTF_8);
        }
        throw new MalformedEvent("unexpected message body " + (body == null ? null : body.getClass()), null);
    }

    /** A delivery as received: what a parked event and a dead letter keep of it. */
    private record Received(String consumer, String body, String routingKey, String userId, EventTrace trace) {
    }

    /**
     * Applies {@code effect} exactly once per (consumer, eventId), if the event comes from the producer of its type.
     * The effect runs inside the transaction opened here ({@link Db#transaction}) and does all its database work on
     * the {@link Tx} it is handed (or through {@link Db#transaction}, which joins it), so the inbox row and the effect
     * commit or roll back together (SPEC §9). A consumer method receives {@code delivery} as a second parameter beside the body:
     * {@code Uni<Void> consume(JsonObject body, IncomingRabbitMQMetadata delivery)}. A failing effect parks the event or
     * records it as a dead letter (see the class documentation); the returned {@code Uni} then completes (the message
     * is acknowledged). It fails (the message goes to the RabbitMQ dead-letter queue) only when that record failed.
     *
     * @param consumer a stable name for this consumer (one service may consume an event in several ways)
     * @param delivery the RabbitMQ delivery's metadata (routing key and {@code user_id}, which the producer check reads)
     */
    public Uni<Void> handle(String consumer, Object body, IncomingRabbitMQMetadata delivery,
            BiFunction<Tx, EventEnvelope, Uni<Void>> effect) {
        return handle(consumer, body, delivery == null ? null : delivery.getRoutingKey(),
                delivery == null ? null : delivery.getUserId().orElse(null),
                delivery == null ? EventTrace.NONE : EventTrace.fromHeaders(delivery.getHeaders()), effect);
    }

    /**
     * {@link #handle(String, Object, IncomingRabbitMQMetadata, BiFunction)} with the delivery's routing key, AMQP
     * {@code user_id} and trace context given one by one (what the producer check and the traces read).
     */
    public Uni<Void> handle(String consumer, Object body, String routingKey, String userId, EventTrace given,
            BiFunction<Tx, EventEnvelope, Uni<Void>> effect) {
        EventTrace trace = given == null ? EventTrace.NONE : given;
        if (effects.putIfAbsent(consumer, effect) == null) {
            gauge(consumer);
            LOG.warnf("inbox %s: no effect registered at startup (InboxConsumer); its parked events apply only after a"
                    + " delivery in this process", consumer);
        }
        String text;
        EventEnvelope envelope;
        try {
            text = text(body);
            envelope = parse(text);
        } catch (RuntimeException malformed) {
            return deadLetter(new Received(consumer, body == null ? "" : String.valueOf(body), routingKey, userId, trace),
                    null, EventFailure.describe(malformed), malformed);
        }
        Received received = new Received(consumer, text, routingKey, userId, trace);
        Optional<String> refusal = refusal(consumer, envelope, routingKey, userId);
        if (refusal.isPresent()) {
            RefusedEvent refused = new RefusedEvent(envelope.eventId(), refusal.get());
            return deadLetter(received, envelope, refused.getMessage(), refused);
        }
        return traced(consumer, envelope, trace, context -> Uni.createFrom()
                .deferred(() -> within(context, () -> db.transaction(tx -> InboxStore.record(tx, consumer, envelope)
                        .flatMap(inserted -> {
                            if (inserted == 0) {
                                duplicates.increment();
                                LOG.debugf("inbox %s: duplicate %s %s skipped", consumer, envelope.type(),
                                        envelope.eventId());
                                return Uni.createFrom().voidItem();
                            }
                            // a re-delivered copy of a parked event is one more attempt: applied, it is unparked
                            return effect.apply(tx, envelope).invoke(() -> processed.increment())
                                    .flatMap(x -> InboxStore.unpark(tx, consumer, envelope.eventId())).replaceWithVoid();
                        }))))
                .onFailure().invoke(e -> LOG.debugf("inbox %s: %s %s failed: %s", consumer, envelope.type(),
                        envelope.eventId(), e.getMessage()))
                .onFailure(e -> EventFailure.classify(e).kind() == Kind.TRANSIENT)
                .retry().withBackOff(Duration.ofMillis(100), Duration.ofSeconds(5)).atMost(maxRetries)
                .onFailure().recoverWithUni(e -> dispose(received, envelope, e)));
    }

    /** The producer check's refusal of a delivery (issue #17), counted and logged; empty when it passes or is off. */
    private Optional<String> refusal(String consumer, EventEnvelope envelope, String routingKey, String userId) {
        if (!producerCheck) {
            return Optional.empty();
        }
        Optional<String> refusal = producers().refusal(routingKey, envelope.type(), userId);
        if (refusal.isPresent()) {
            Counter.builder("fomo.inbox.refused").description("Events refused: not from the producer of their type")
                    .tag("consumer", consumer)
                    .tag("type", producers().knows(envelope.type()) ? envelope.type() : "other")
                    .register(registry).increment();
            LOG.warnf("inbox %s: refused event %s: %s", consumer, envelope.eventId(), refusal.get());
        }
        return refusal;
    }

    /** After the effect failed for good on a delivery: parked (awaiting, transient) or a dead letter (permanent). */
    private Uni<Void> dispose(Received r, EventEnvelope envelope, Throwable failure) {
        Verdict v = EventFailure.classify(failure);
        if (v.kind() == Kind.PERMANENT) {
            return deadLetter(r, envelope, v.reason(), failure);
        }
        return park(r, envelope, v, failure);
    }

    private Uni<Void> park(Received r, EventEnvelope envelope, Verdict v, Throwable failure) {
        return Uni.createFrom().deferred(() -> db.transaction(tx -> InboxStore.park(tx, r.consumer(), envelope, r.body(),
                        r.routingKey(), r.userId(), r.trace(), v.fact(), v.reason(), backoff(1).toMillis())))
                .onFailure().retry().withBackOff(Duration.ofMillis(100), Duration.ofSeconds(1)).atMost(3)
                .invoke(n -> {
                    if (n > 0) {
                        counter("fomo.inbox.parks", "Events parked (waiting for a fact or after transient failures)",
                                r.consumer()).increment();
                        parkedNow(r.consumer()).incrementAndGet();
                    }
                    LOG.infof("inbox %s: %s %s parked, waiting for %s: %s", r.consumer(), envelope.type(),
                            envelope.eventId(), v.fact(), v.reason());
                })
                .onFailure().transform(e -> {
                    LOG.errorf(e, "inbox %s: could not park %s %s; rejected to the RabbitMQ dead-letter queue", r.consumer(),
                            envelope.type(), envelope.eventId());
                    return failure;
                })
                .replaceWithVoid();
    }

    private Uni<Void> deadLetter(Received r, EventEnvelope envelope, String reason, Throwable failure) {
        String eventId = envelope == null ? null : envelope.eventId();
        String type = envelope == null ? null : envelope.type();
        return Uni.createFrom().deferred(() -> db.transaction(tx -> InboxStore.deadLetter(tx, r.consumer(), eventId, type,
                        r.body(), r.routingKey(), r.userId(), r.trace(), reason)))
                .onFailure().retry().withBackOff(Duration.ofMillis(100), Duration.ofSeconds(1)).atMost(3)
                .invoke(id -> {
                    if (id.isPresent()) {
                        counter("fomo.inbox.dead-letters", "Events that can never apply, recorded as dead letters",
                                r.consumer()).increment();
                        LOG.errorf("inbox %s: %s %s can never apply; dead letter %d (GET /api/v1/ops/dead-letters/%d): %s",
                                r.consumer(), type, eventId, id.get(), id.get(), reason);
                    } else {
                        LOG.warnf("inbox %s: %s %s is an open dead letter already: %s", r.consumer(), type, eventId, reason);
                    }
                })
                .onFailure().transform(e -> {
                    LOG.errorf(e, "inbox %s: could not record the dead letter %s %s; rejected to the RabbitMQ dead-letter"
                            + " queue", r.consumer(), type, eventId);
                    return failure;
                })
                .replaceWithVoid();
    }

    // ---- parked events

    /**
     * Makes the events waiting for {@code fact} ({@link AwaitingFact#fact()}) due now, on {@code tx} (so when the
     * transaction that records the fact commits). The parked-events job applies them on its next run.
     */
    public Uni<Void> factArrived(Tx tx, String fact) {
        return InboxStore.factArrived(tx, fact).invoke(n -> {
            if (n > 0) {
                LOG.debugf("inbox: %d parked events waiting for %s are due now", n, fact);
            }
        }).replaceWithVoid();
    }

    /** The back-off after {@code attempts} failed attempts: initial, doubling, at most the maximum. */
    Duration backoff(int attempts) {
        long initial = Math.max(1, backoffInitial.toMillis());
        long max = Math.max(initial, backoffMax.toMillis());
        long delay = initial;
        for (int i = 1; i < attempts && delay < max; i++) {
            delay *= 2;
        }
        return Duration.ofMillis(Math.min(delay, max));
    }

    /**
     * One run of the parked-events job: claims the due parked events (replica-safe) and applies each again in its own
     * transaction; one that fails never stops the others. Then refreshes the gauge {@code fomo.inbox.parked}.
     */
    public Uni<Void> retryParked() {
        return db.transaction(tx -> InboxStore.claimDue(tx, batch, lease.toMillis())).flatMap(due -> {
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (ParkedEvent p : due) {
                String key = p.consumer() + "/" + p.eventId();
                chain = chain.flatMap(x -> Uni.createFrom().deferred(() -> reapply(p))
                        .invoke(() -> stuck.succeeded(JOB, key))
                        .onFailure().recoverWithItem(e -> {
                            stuck.failed(JOB, key, e);
                            return null;
                        }));
            }
            return chain;
        }).flatMap(x -> refreshGauges());
    }

    /** One parked event's attempt, and its bookkeeping: applied (and unparked), rescheduled, or a dead letter. */
    private Uni<Void> reapply(ParkedEvent p) {
        BiFunction<Tx, EventEnvelope, Uni<Void>> effect = effects.get(p.consumer());
        EventEnvelope envelope = parse(p.body());
        Uni<Boolean> attempt = effect == null
                ? Uni.createFrom().failure(new IllegalStateException("no effect registered for consumer " + p.consumer()
                        + " on this replica"))
                : traced(p.consumer(), envelope, p.trace(),
                        context -> within(context, () -> applyOnce(p.consumer(), envelope, effect)));
        return attempt.onItemOrFailure().transformToUni((applied, failure) -> {
            if (failure == null) {
                return unparked(p, applied);
            }
            return attemptFailed(p, failure);
        });
    }

    private Uni<Void> unparked(ParkedEvent p, boolean applied) {
        counter("fomo.inbox.unparks", "Parked events applied (or found applied) later", p.consumer()).increment();
        LOG.infof("inbox %s: parked %s %s %s after %d attempts (it waited for %s since %s)", p.consumer(), p.type(),
                p.eventId(), applied ? "applied" : "was applied before", p.attempts(), p.waitingFor(), p.parkedAt());
        return Uni.createFrom().voidItem();
    }

    private Uni<Void> attemptFailed(ParkedEvent p, Throwable failure) {
        Verdict v = EventFailure.classify(failure);
        if (v.kind() == Kind.PERMANENT) {
            return db.transaction(tx -> InboxStore.deadLetter(tx, p.consumer(), p.eventId(), p.type(), p.body(),
                    p.routingKey(), p.userId(), p.trace(), v.reason())
                    .flatMap(id -> InboxStore.unpark(tx, p.consumer(), p.eventId()).replaceWith(id)))
                    .invoke(id -> LOG.errorf("inbox %s: parked %s %s can never apply; dead letter %s: %s", p.consumer(),
                            p.type(), p.eventId(), id.map(String::valueOf).orElse("(open already)"), v.reason()))
                    .replaceWithVoid();
        }
        Duration next = backoff(p.attempts() + 1);
        return db.transaction(tx -> InboxStore.attemptFailed(tx, p.consumer(), p.eventId(), v.fact(), v.reason(),
                next.toMillis(), p.nextAttemptAt()))
                .invoke(() -> LOG.debugf("inbox %s: parked %s %s still waits for %s (attempt %d, next in %s): %s",
                        p.consumer(), p.type(), p.eventId(), v.fact(), p.attempts() + 1, next, v.reason()))
                .replaceWithVoid();
    }

    /**
     * The inbox transaction of a parked event or a re-drive: inbox row + effect + the parked row's delete, exactly once.
     * True when the effect ran now, false when the event had taken effect before.
     */
    private Uni<Boolean> applyOnce(String consumer, EventEnvelope envelope, BiFunction<Tx, EventEnvelope, Uni<Void>> effect) {
        return db.transaction(tx -> InboxStore.record(tx, consumer, envelope).flatMap(inserted -> {
            Uni<Void> applied = inserted == 0 ? Uni.createFrom().voidItem()
                    : effect.apply(tx, envelope).invoke(() -> processed.increment());
            return applied.flatMap(x -> InboxStore.unpark(tx, consumer, envelope.eventId())).replaceWith(inserted > 0);
        }));
    }

    private Uni<Void> refreshGauges() {
        return db.session(InboxStore::parkedCounts).invoke(counts -> {
            counts.keySet().forEach(this::gauge);
            parkedNow.forEach((consumer, n) -> n.set(counts.getOrDefault(consumer, 0L)));
        }).replaceWithVoid();
    }

    /** The parked events, oldest first ({@code consumer} null: all). */
    public Uni<List<ParkedEvent>> parked(String consumer, int limit) {
        return db.session(tx -> InboxStore.parked(tx, consumer, limit));
    }

    public Uni<Optional<ParkedEvent>> parked(String consumer, String eventId) {
        return db.session(tx -> InboxStore.parked(tx, consumer, eventId));
    }

    // ---- dead letters

    /** The dead letters, newest first, without their re-drives ({@code consumer}, {@code state} null: all). */
    public Uni<List<DeadLetter>> deadLetters(String consumer, DeadLetter.State state, int limit) {
        return db.session(tx -> InboxStore.deadLetters(tx, consumer, state, limit));
    }

    /** One dead letter with its body and every re-drive. */
    public Uni<Optional<DeadLetter>> deadLetter(long id) {
        return db.session(tx -> InboxStore.deadLetter(tx, id));
    }

    /**
     * Re-drives dead letter {@code id} on behalf of {@code operator} (issue #19): the event goes through the same path
     * as a delivery (the envelope is read, the producer check reads the recorded routing key and {@code user_id}, the
     * consumer's registered effect runs in the inbox transaction, exactly once), and the re-drive is recorded with its
     * outcome. An event applied before changes nothing ({@link DeadLetter.Outcome#ALREADY_APPLIED}).
     *
     * @return the dead letter as it is now (its re-drives included); a {@code 404 NOT_FOUND} problem when unknown
     */
    public Uni<DeadLetter> redrive(long id, String operator) {
        return deadLetter(id).flatMap(found -> {
            if (found.isEmpty()) {
                return Uni.createFrom().failure(ErrorCode.NOT_FOUND.problem("no dead letter " + id));
            }
            DeadLetter dead = found.get();
            return redriveAttempt(dead)
                    .flatMap(result -> db.transaction(tx -> InboxStore.redriven(tx, id, operator, result.outcome(), result.reason()))
                            .invoke(() -> LOG.infof("inbox %s: dead letter %d re-driven by %s: %s%s", dead.consumer(), id,
                                    operator, result.outcome(), result.reason() == null ? "" : " (" + result.reason() + ")")))
                    .flatMap(x -> deadLetter(id)).map(Optional::orElseThrow);
        });
    }

    private record RedriveResult(DeadLetter.Outcome outcome, String reason) {
    }

    private Uni<RedriveResult> redriveAttempt(DeadLetter dead) {
        EventEnvelope envelope;
        try {
            envelope = parse(dead.body());
        } catch (RuntimeException malformed) {
            return refused(EventFailure.describe(malformed));
        }
        Optional<String> refusal = refusal(dead.consumer(), envelope, dead.routingKey(), dead.userId());
        if (refusal.isPresent()) {
            return refused(new RefusedEvent(envelope.eventId(), refusal.get()).getMessage());
        }
        BiFunction<Tx, EventEnvelope, Uni<Void>> effect = effects.get(dead.consumer());
        if (effect == null) {
            return refused("no effect registered for consumer " + dead.consumer() + " on this service");
        }
        return db.session(tx -> InboxStore.deadLetterTrace(tx, dead.id())).flatMap(trace -> Uni.createFrom()
                .deferred(() -> applyOnce(dead.consumer(), envelope, effect))
                .map(applied -> new RedriveResult(applied ? DeadLetter.Outcome.APPLIED : DeadLetter.Outcome.ALREADY_APPLIED, null))
                .onFailure().recoverWithUni(failure -> {
                    Verdict v = EventFailure.classify(failure);
                    if (v.kind() == Kind.PERMANENT) {
                        return refused(v.reason());
                    }
                    Received r = new Received(dead.consumer(), dead.body(), dead.routingKey(), dead.userId(), trace);
                    return park(r, envelope, v, failure).replaceWith(new RedriveResult(DeadLetter.Outcome.PARKED,
                            "waiting for " + v.fact() + ": " + v.reason()));
                }));
    }

    private static Uni<RedriveResult> refused(String reason) {
        return Uni.createFrom().item(new RedriveResult(DeadLetter.Outcome.REFUSED, reason));
    }

    // ---- metrics, traces

    private Counter counter(String name, String description, String consumer) {
        return Counter.builder(name).description(description).tag("consumer", consumer).register(registry);
    }

    private AtomicLong parkedNow(String consumer) {
        gauge(consumer);
        return parkedNow.get(consumer);
    }

    private void gauge(String consumer) {
        parkedNow.computeIfAbsent(consumer, c -> {
            AtomicLong n = new AtomicLong();
            Gauge.builder("fomo.inbox.parked", n, AtomicLong::get).tag("consumer", c)
                    .description("Events parked by the consumer (waiting for a fact or a retry) at the last count")
                    .register(registry);
            return n;
        });
    }

    /** Runs {@code work} in a consumer span {@code <consumer> <type>} when {@code trace} names a recording parent. */
    private <T> Uni<T> traced(String consumer, EventEnvelope envelope, EventTrace trace,
            Function<io.opentelemetry.context.Context, Uni<T>> work) {
        if (trace.present()) {
            Span span = tracer().spanBuilder(consumer + " " + envelope.type()).setSpanKind(SpanKind.CONSUMER)
                    .setParent(trace.parent())
                    .setAttribute("messaging.system", "rabbitmq")
                    .setAttribute("messaging.operation.type", "process")
                    .setAttribute("messaging.message.id", envelope.eventId())
                    .setAttribute("fomo.event.type", envelope.type())
                    .setAttribute("fomo.consumer", consumer)
                    .startSpan();
            if (span.isRecording()) {
                return work.apply(io.opentelemetry.context.Context.current().with(span))
                        .onFailure().invoke(e -> span.setStatus(StatusCode.ERROR, String.valueOf(e.getMessage())))
                        .onTermination().invoke(span::end);
            }
        }
        return work.apply(null);
    }

    private Tracer tracer() {
        Tracer t = tracer;
        if (t == null) {
            t = (openTelemetry == null ? OpenTelemetry.noop() : openTelemetry).getTracer("io.fomo.shared.events");
            tracer = t;
        }
        return t;
    }

    /**
     * Builds and subscribes to {@code work} (each attempt) with {@code trace} current: {@link Db} hands the current
     * trace on to the unit of work it opens, so the effect, its calls and the events it enqueues are in the consumer's
     * span. The Uni is built inside the scope, not before it: context propagation captures the trace when the unit's
     * Uni is created, so a Uni made outside would carry no trace (the effect's outbox records then had none).
     */
    private static <T> Uni<T> within(io.opentelemetry.context.Context trace, java.util.function.Supplier<Uni<T>> work) {
        if (trace == null) {
            return work.get();
        }
        return Uni.createFrom().emitter(emitter -> {
            try (var scope = trace.makeCurrent()) {
                work.get().subscribe().with(emitter::complete, emitter::fail);
            }
        });
    }

    /** An event the producer check refused (issue #17): never applies, recorded as a dead letter. */
    public static final class RefusedEvent extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        public RefusedEvent(String eventId, String reason) {
            super("event " + eventId + " refused: " + reason);
        }
    }
}
