package io.fomo.emission.epochs;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.fomo.shared.events.EventTrace;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The emission's spans (issue #20, docs/DESIGN.md "Traces"). The claim happens in the inbox's consumer span of billing's
 * {@code EpochClosed} and keeps that span's {@code traceparent} with the epoch's row (V4); the emission runs after the
 * claim's commit (the claiming replica's kick, or any replica's recovery job after a crash). Each pass that takes the
 * epoch's lease runs in a span {@code emission allocate epoch <n>} whose parent is the stored one, current on the
 * pass's own Vert.x context: its reads, its ledger calls (the treasury's spans join) and the {@code EmissionAllocated}
 * it enqueues ({@link #current}) continue the trace of the epoch's close, so staking's effect does too.
 *
 * <p>Without a stored trace (OpenTelemetry off, or an event that carried none) a pass runs exactly as before.
 */
@ApplicationScoped
public class EmissionTraces {

    static final AttributeKey<Long> EPOCH = AttributeKey.longKey("fomo.epoch");

    @Inject
    OpenTelemetry openTelemetry;

    private volatile Tracer tracer;

    /** The trace of each pass in progress on this replica (one per epoch: {@link EmissionService} runs one at a time). */
    private final Map<Long, Context> passes = new ConcurrentHashMap<>();

    /**
     * Runs {@code pass} (subscribed on the calling code's context, the pass's own) in a span child of {@code claimed},
     * the epoch's stored trace; ends the span when the pass ends.
     */
    <T> Uni<T> pass(long epoch, EventTrace claimed, Supplier<Uni<T>> pass) {
        if (!claimed.present()) {
            return Uni.createFrom().<T>deferred(pass::get);
        }
        Context parent = claimed.parent();
        Span span = tracer().spanBuilder("emission allocate epoch " + epoch).setSpanKind(SpanKind.INTERNAL).setParent(parent)
                .setAttribute(EPOCH, epoch).startSpan();
        if (!span.isRecording()) {
            return Uni.createFrom().<T>deferred(pass::get);
        }
        Context trace = parent.with(span);
        return Uni.createFrom().<T>emitter(emitter -> {
            passes.put(epoch, trace);
            // current on the pass's own context until it ends: every later step of the pass runs there (emitOn)
            Scope scope = trace.makeCurrent();
            Uni.createFrom().<T>deferred(pass::get).onTermination().invoke(() -> {
                passes.remove(epoch, trace);
                scope.close();
            }).subscribe().with(emitter::complete, emitter::fail);
        }).onFailure().invoke(e -> span.setStatus(StatusCode.ERROR, String.valueOf(e.getMessage())))
                .onTermination().invoke(span::end);
    }

    /**
     * Calls and subscribes to {@code work} with the epoch's pass span current (when there is one): the outbox reads the
     * current trace when it enqueues, whichever thread the ledger's answer came back on.
     */
    <T> Uni<T> current(long epoch, Supplier<Uni<T>> work) {
        Context trace = passes.get(epoch);
        if (trace == null) {
            return work.get();
        }
        return Uni.createFrom().emitter(emitter -> {
            try (Scope scope = trace.makeCurrent()) {
                work.get().subscribe().with(emitter::complete, emitter::fail);
            }
        });
    }

    private Tracer tracer() {
        Tracer t = tracer;
        if (t == null) {
            t = (openTelemetry == null ? OpenTelemetry.noop() : openTelemetry).getTracer("io.fomo.emission.epochs");
            tracer = t;
        }
        return t;
    }
}
