package io.fomo.billing.settlement;

import java.util.List;
import java.util.function.Supplier;

import io.fomo.billing.BillingConfig;
import io.fomo.shared.events.EventTrace;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The settlement's spans (issue #20, docs/DESIGN.md "Traces"). A window settlement and an epoch close aggregate many
 * inference requests; each runs in a span of its own ({@code billing settle window <deployment> <window>},
 * {@code billing close epoch <epoch>}) that carries <b>span links</b> to the traces of the captures it settles (the
 * {@code traceparent} each capture stored, V10), at most {@code fomo.billing.trace-links.max}, with the total number of
 * captures as {@value #CAPTURES} and the number linked as {@value #LINKED}: the OpenTelemetry way to connect a batch to
 * the requests it aggregates. The {@code WindowSettled} / {@code EpochClosed} outbox rows are written with that span
 * current ({@link Batch#current}), so the treasury's split and the emission continue its trace.
 *
 * <p>While OpenTelemetry is off the span does not record: no link is looked up (no extra SQL) and the outbox row
 * carries no trace, exactly as before.
 */
@ApplicationScoped
public class SettlementTraces {

    public static final String CAPTURES = "fomo.captures.count";
    public static final String LINKED = "fomo.captures.linked";
    static final AttributeKey<String> DEPLOYMENT = AttributeKey.stringKey("fomo.deployment.id");
    static final AttributeKey<Long> WINDOW = AttributeKey.longKey("fomo.window");
    static final AttributeKey<Long> EPOCH = AttributeKey.longKey("fomo.epoch");

    @Inject
    OpenTelemetry openTelemetry;

    @Inject
    BillingConfig config;

    private volatile Tracer tracer;

    public SettlementTraces() {
    }

    private SettlementTraces(OpenTelemetry openTelemetry) {
        this.openTelemetry = openTelemetry;
    }

    /** No spans (the property tests outside Quarkus). */
    public static SettlementTraces off() {
        return new SettlementTraces(OpenTelemetry.noop());
    }

    /** Most links per span ({@code fomo.billing.trace-links.max}). */
    int maxLinks() {
        return config == null ? 0 : config.traceLinks().max();
    }

    Batch window(String deployment, long window) {
        Span span = tracer().spanBuilder("billing settle window " + deployment + " " + window).setSpanKind(SpanKind.INTERNAL)
                .setAttribute(DEPLOYMENT, deployment).setAttribute(WINDOW, window).startSpan();
        return new Batch(span);
    }

    Batch epoch(long epoch) {
        Span span = tracer().spanBuilder("billing close epoch " + epoch).setSpanKind(SpanKind.INTERNAL)
                .setAttribute(EPOCH, epoch).startSpan();
        return new Batch(span);
    }

    private Tracer tracer() {
        Tracer t = tracer;
        if (t == null) {
            t = (openTelemetry == null ? OpenTelemetry.noop() : openTelemetry).getTracer("io.fomo.billing.settlement");
            tracer = t;
        }
        return t;
    }

    /** One batch's span: links to its captures, current while its event is enqueued, ended with the work. */
    final class Batch {

        private final Span span;

        private Batch(Span span) {
            this.span = span;
        }

        /** Whether the span records (OpenTelemetry on): only then are the captures' traces looked up. */
        boolean recording() {
            return span.isRecording() && maxLinks() > 0;
        }

        /** Links the span to the captures' traces (at most {@link #maxLinks()}); {@code total}: how many it settles. */
        void link(List<String> traceparents, long total) {
            int linked = 0;
            for (String traceparent : traceparents) {
                if (linked >= maxLinks()) {
                    break;
                }
                SpanContext capture = Span.fromContext(EventTrace.of(traceparent, null).parent()).getSpanContext();
                if (capture.isValid()) {
                    span.addLink(capture);
                    linked++;
                }
            }
            span.setAttribute(CAPTURES, total);
            span.setAttribute(LINKED, (long) linked);
        }

        /**
         * Calls and subscribes to {@code work} with this span current: the outbox reads the current trace when it
         * enqueues, so the event carries this span as its parent.
         */
        <T> Uni<T> current(Supplier<Uni<T>> work) {
            Context trace = Context.current().with(span);
            return Uni.createFrom().emitter(emitter -> {
                try (Scope scope = trace.makeCurrent()) {
                    work.get().subscribe().with(emitter::complete, emitter::fail);
                }
            });
        }

        <T> Uni<T> around(Uni<T> work) {
            return work.onTermination().invoke((item, failure, cancelled) -> {
                if (failure != null) {
                    span.setStatus(StatusCode.ERROR, String.valueOf(failure.getMessage()));
                }
                span.end();
            });
        }
    }
}
