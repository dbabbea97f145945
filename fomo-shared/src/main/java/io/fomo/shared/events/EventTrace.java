package io.fomo.shared.events;

import java.util.HashMap;
import java.util.Map;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;

/**
 * The W3C trace context an event carries from the producer's transaction to the consumer's effect (issue #20,
 * docs/DESIGN.md "Traces"): {@link Outbox} records the caller's {@code traceparent}/{@code tracestate} in the outbox row,
 * {@link OutboxRelay} publishes them as AMQP headers of the same names, and {@link Inbox} starts the effect's span as a
 * child of them. With the OpenTelemetry SDK off no span is valid: nothing is recorded and no header is sent.
 */
public record EventTrace(String traceparent, String tracestate) {

    public static final String TRACEPARENT = "traceparent";
    public static final String TRACESTATE = "tracestate";

    /** No trace: OpenTelemetry off, or no span current where the event was enqueued. */
    public static final EventTrace NONE = new EventTrace(null, null);

    private static final TextMapGetter<Map<String, ?>> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, ?> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, ?> carrier, String key) {
            Object value = carrier == null ? null : carrier.get(key);
            return value == null ? null : value.toString(); // the AMQP client hands strings over as LongString
        }
    };

    /** The span current on the calling code's context, or {@link #NONE}. */
    public static EventTrace current() {
        Context context = Context.current();
        if (!Span.fromContext(context).getSpanContext().isValid()) {
            return NONE;
        }
        Map<String, String> carrier = new HashMap<>(4);
        W3CTraceContextPropagator.getInstance().inject(context, carrier, Map::put);
        return of(carrier.get(TRACEPARENT), carrier.get(TRACESTATE));
    }

    /** From stored or received values (either may be null or blank). */
    public static EventTrace of(String traceparent, String tracestate) {
        if (traceparent == null || traceparent.isBlank()) {
            return NONE;
        }
        return new EventTrace(traceparent, tracestate == null || tracestate.isBlank() ? null : tracestate);
    }

    /** From a received message's headers (RabbitMQ: {@code IncomingRabbitMQMetadata#getHeaders()}). */
    public static EventTrace fromHeaders(Map<String, ?> headers) {
        if (headers == null || headers.isEmpty()) {
            return NONE;
        }
        return of(HEADERS.get(headers, TRACEPARENT), HEADERS.get(headers, TRACESTATE));
    }

    public boolean present() {
        return traceparent != null;
    }

    /** The headers to publish: none without a trace. */
    public Map<String, Object> headers() {
        if (!present()) {
            return Map.of();
        }
        return tracestate == null ? Map.of(TRACEPARENT, traceparent) : Map.of(TRACEPARENT, traceparent, TRACESTATE, tracestate);
    }

    /** The remote parent these values name (the root context when none or malformed). */
    public Context parent() {
        if (!present()) {
            return Context.root();
        }
        return W3CTraceContextPropagator.getInstance().extract(Context.root(), headers(), HEADERS);
    }
}
