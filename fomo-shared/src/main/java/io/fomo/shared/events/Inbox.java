package io.fomo.shared.events;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.fomo.shared.db.Db;
import io.fomo.shared.db.Tx;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.rabbitmq.IncomingRabbitMQMetadata;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The consumer side of SPEC §9's exactly-once messaging: the event's id is recorded in {@code fomo_inbox}
 * in the same transaction as its effect. A re-delivered event finds its id there, is acknowledged and
 * skipped. A failing effect rolls back both and is retried (with back-off); after
 * {@code fomo.inbox.max-retries} the message is rejected to the queue's dead-letter queue for an operator.
 *
 * <p>Before anything else the inbox checks the producer (issue #17, {@link EventProducers}): an event whose AMQP
 * {@code user_id} is not the RabbitMQ user of the service that publishes its type, or whose envelope type is not its
 * routing key, is refused: no effect, nothing recorded, counted in {@code fomo.inbox.refused}, logged, and rejected at
 * once (no retry) to the dead-letter queue. {@code fomo.events.producer-check.enabled=false} turns the check off.
 *
 * <p>Traces (issue #20, {@link EventTrace}): a message that carries a {@code traceparent} header gets a consumer span
 * {@code <consumer> <type>} as a child of it, current while the effect runs (so the effect's own calls and the events it
 * enqueues continue the trace). Without the header, or with the OpenTelemetry SDK off, the effect runs exactly as before.
 */
@ApplicationScoped
public class Inbox {

    private static final Logger LOG = Logger.getLogger(Inbox.class);

    private static final String RECORD = """
            INSERT INTO fomo_inbox (consumer, event_id, type, received_at) VALUES ($1, $2, $3, now())
            ON CONFLICT (consumer, event_id) DO NOTHING""";

    private final ObjectMapper mapper;
    private final Counter processed;
    private final Counter duplicates;

    private final MeterRegistry registry;

    @ConfigProperty(name = "fomo.inbox.max-retries", defaultValue = "5")
    int maxRetries;

    @ConfigProperty(name = "fomo.events.producer-check.enabled", defaultValue = "true")
    boolean producerCheck;

    @ConfigProperty(name = "fomo.events.extra-producers")
    Optional<List<String>> extraProducers;

    private volatile EventProducers producers;

    private final Db db;

    /** Quarkus' OpenTelemetry (a no-op while {@code quarkus.otel.sdk.disabled=true}). */
    @Inject
    OpenTelemetry openTelemetry;

    private volatile Tracer tracer;

    @Inject
    public Inbox(ObjectMapper mapper, MeterRegistry registry, Db db) {
        this.mapper = mapper;
        this.db = db;
        this.registry = registry;
        this.processed = Counter.builder("fomo.inbox.processed").description("Events that took effect").register(registry);
        this.duplicates = Counter.builder("fomo.inbox.duplicates").description("Re-delivered events skipped").register(registry);
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
            String json;
            if (body instanceof JsonObject o) {
                json = o.encode();
            } else if (body instanceof String s) {
                json = s;
            } else if (body instanceof byte[] b) {
                json = new String(b, java.nio.charset.StandardCharsets.UTF_8);
            } else {
                throw new IllegalArgumentException("unexpected message body " + (body == null ? null : body.getClass()));
            }
            return mapper.readValue(json, EventEnvelope.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("malformed event envelope", e);
        }
    }

    /**
     * Applies {@code effect} exactly once per (consumer, eventId), if the event comes from the producer of its type.
     * The effect runs inside the transaction opened here ({@link Db#transaction}) and does all its database work on
     * the {@link Tx} it is handed (or through {@link Db#transaction}, which joins it), so the inbox row and the effect
     * commit or roll back together (SPEC §9). A consumer method receives {@code delivery} as a second parameter beside the body:
     * {@code Uni<Void> consume(JsonObject body, IncomingRabbitMQMetadata delivery)}.
     *
     * @param consumer a stable name for this consumer (one service may consume an event in several ways)
     * @param delivery the RabbitMQ delivery's metadata (routing key and {@code user_id}, which the producer check reads)
     * @return a failure without retry ({@link RefusedEvent}) when the producer check refuses the event
     */
    public Uni<Void> handle(String consumer, Object body, IncomingRabbitMQMetadata delivery,
            BiFunction<Tx, EventEnvelope, Uni<Void>> effect) {
        EventEnvelope envelope = parse(body);
        if (producerCheck) {
            String routingKey = delivery == null ? null : delivery.getRoutingKey();
            String userId = delivery == null ? null : delivery.getUserId().orElse(null);
            Optional<String> refusal = producers().refusal(routingKey, envelope.type(), userId);
            if (refusal.isPresent()) {
                Counter.builder("fomo.inbox.refused").description("Events refused: not from the producer of their type")
                        .tag("consumer", consumer)
                        .tag("type", producers().knows(envelope.type()) ? envelope.type() : "other")
                        .register(registry).increment();
                LOG.warnf("inbox %s: refused event %s: %s; rejected to the dead-letter queue", consumer,
                        envelope.eventId(), refusal.get());
                return Uni.createFrom().failure(new RefusedEvent(envelope.eventId(), refusal.get()));
            }
        }
        EventTrace trace = delivery == null ? EventTrace.NONE : EventTrace.fromHeaders(delivery.getHeaders());
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
                return apply(consumer, envelope, effect, io.opentelemetry.context.Context.current().with(span))
                        .onFailure().invoke(e -> span.setStatus(StatusCode.ERROR, String.valueOf(e.getMessage())))
                        .onTermination().invoke(span::end);
            }
        }
        return apply(consumer, envelope, effect, null);
    }

    private Tracer tracer() {
        Tracer t = tracer;
        if (t == null) {
            t = (openTelemetry == null ? OpenTelemetry.noop() : openTelemetry).getTracer("io.fomo.shared.events");
            tracer = t;
        }
        return t;
    }

    private Uni<Void> apply(String consumer, EventEnvelope envelope, BiFunction<Tx, EventEnvelope, Uni<Void>> effect,
            io.opentelemetry.context.Context trace) {
        return Uni.createFrom().deferred(() -> within(trace, db.transaction(tx -> tx.update(RECORD, consumer, envelope.eventId(), envelope.type())
                        .flatMap(inserted -> {
                            if (inserted == 0) {
                                duplicates.increment();
                                LOG.debugf("inbox %s: duplicate %s %s skipped", consumer, envelope.type(), envelope.eventId());
                                return Uni.createFrom().voidItem();
                            }
                            return effect.apply(tx, envelope).invoke(() -> processed.increment());
                        }))))
                .onFailure().invoke(e -> LOG.warnf("inbox %s: %s %s failed: %s", consumer, envelope.type(), envelope.eventId(), e.getMessage()))
                .onFailure().retry().withBackOff(Duration.ofMillis(100), Duration.ofSeconds(5)).atMost(maxRetries);
    }

    /**
     * Subscribes to {@code work} (each attempt) with {@code trace} current: {@link Db} hands the current trace on to the
     * unit of work it opens, so the effect, its calls and the events it enqueues are in the consumer's span.
     */
    private static <T> Uni<T> within(io.opentelemetry.context.Context trace, Uni<T> work) {
        if (trace == null) {
            return work;
        }
        return Uni.createFrom().emitter(emitter -> {
            try (var scope = trace.makeCurrent()) {
                work.subscribe().with(emitter::complete, emitter::fail);
            }
        });
    }

    /** An event the producer check refused (issue #17): not retried, rejected to the dead-letter queue. */
    public static final class RefusedEvent extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        public RefusedEvent(String eventId, String reason) {
            super("event " + eventId + " refused: " + reason);
        }
    }
}
