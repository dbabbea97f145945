package io.fomo.shared.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fomo.shared.events.EventTrace;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;

/** The W3C trace context an event carries (issue #20): recorded from the current span, read back from headers. */
class EventTraceTest {

    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String SPAN = "00f067aa0ba902b7";

    @Test
    void withoutASpanNothingIsRecordedAndNoHeaderIsSent() {
        EventTrace none = EventTrace.current();
        assertThat(none).isEqualTo(EventTrace.NONE);
        assertThat(none.present()).isFalse();
        assertThat(none.headers()).isEmpty();
        assertThat(Span.fromContext(none.parent()).getSpanContext().isValid()).isFalse();
    }

    @Test
    void theCurrentSpanIsRecordedAsTraceparentAndTracestate() {
        SpanContext ctx = SpanContext.create(TRACE, SPAN, TraceFlags.getSampled(),
                TraceState.builder().put("vendor", "x1").build());
        try (var scope = Context.root().with(Span.wrap(ctx)).makeCurrent()) {
            EventTrace trace = EventTrace.current();
            assertThat(trace.traceparent()).isEqualTo("00-" + TRACE + "-" + SPAN + "-01");
            assertThat(trace.tracestate()).isEqualTo("vendor=x1");
            assertThat(trace.headers()).containsOnlyKeys("traceparent", "tracestate");
        }
    }

    @Test
    void receivedHeadersNameTheRemoteParent() {
        // The AMQP client hands header strings over as its own LongString type: anything with a toString() is read.
        Object longString = new Object() {
            @Override
            public String toString() {
                return new String(("00-" + TRACE + "-" + SPAN + "-01").getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
            }
        };
        EventTrace trace = EventTrace.fromHeaders(Map.of("traceparent", longString, "x-other", 1));
        SpanContext parent = Span.fromContext(trace.parent()).getSpanContext();
        assertThat(parent.isValid()).isTrue();
        assertThat(parent.isRemote()).isTrue();
        assertThat(parent.getTraceId()).isEqualTo(TRACE);
        assertThat(parent.getSpanId()).isEqualTo(SPAN);
        assertThat(parent.isSampled()).isTrue();
    }

    @Test
    void aMalformedOrMissingHeaderIsNoParent() {
        assertThat(EventTrace.fromHeaders(Map.of())).isEqualTo(EventTrace.NONE);
        assertThat(EventTrace.fromHeaders(null)).isEqualTo(EventTrace.NONE);
        assertThat(EventTrace.of(" ", null)).isEqualTo(EventTrace.NONE);
        EventTrace bad = EventTrace.fromHeaders(Map.of("traceparent", "not-a-traceparent"));
        assertThat(Span.fromContext(bad.parent()).getSpanContext().isValid()).isFalse();
    }
}
