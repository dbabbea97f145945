package io.fomo.system;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

import com.sun.net.httpserver.HttpServer;

/**
 * An OTLP/HTTP trace receiver in the test JVM (issue #20): the services export to {@link #endpoint()} with
 * {@code quarkus.otel.exporter.otlp.traces.protocol=http/protobuf}; each request's {@code ExportTraceServiceRequest} is
 * decoded here, field by field from the protobuf wire format of opentelemetry-proto's {@code trace/v1/trace.proto} (only
 * the fields a test reads: the resource's {@code service.name}, each span's ids, name, kind, string and integer
 * attributes, and its links).
 */
final class OtlpReceiver implements AutoCloseable {

    /**
     * One received span. {@code kind}: 1 internal, 2 server, 3 client, 4 producer, 5 consumer (trace.proto SpanKind);
     * {@code attributes}: the string and integer ones, as text; {@code links}: the spans it links to (e.g. a settlement's
     * captures).
     */
    record ReceivedSpan(String service, String traceId, String spanId, String parentSpanId, String name, int kind,
            Map<String, String> attributes, List<Link> links) {

        /** Whether this span links to a span of trace {@code traceId}. */
        boolean linksTo(String traceId) {
            return links.stream().anyMatch(l -> l.traceId().equals(traceId));
        }
    }

    /** A span link: the trace and span it points to. */
    record Link(String traceId, String spanId) {
    }

    private final HttpServer server;
    private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();

    private OtlpReceiver(HttpServer server) {
        this.server = server;
    }

    static OtlpReceiver start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            OtlpReceiver receiver = new OtlpReceiver(server);
            server.createContext("/", exchange -> {
                try (exchange) {
                    InputStream body = exchange.getRequestBody();
                    if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                        body = new GZIPInputStream(body);
                    }
                    receiver.spans.addAll(decode(body.readAllBytes()));
                    exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
                    exchange.sendResponseHeaders(200, -1); // an empty ExportTraceServiceResponse: all accepted
                }
            });
            server.start();
            return receiver;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The base URL to export to, e.g. {@code http://127.0.0.1:43123}. */
    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<ReceivedSpan> spans() {
        return List.copyOf(spans);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; } */
    static List<ReceivedSpan> decode(byte[] request) {
        List<ReceivedSpan> out = new ArrayList<>();
        Wire in = new Wire(request);
        while (in.more()) {
            int tag = in.tag();
            if (tag == field(1)) {
                resourceSpans(new Wire(in.bytes()), out);
            } else {
                in.skip(tag);
            }
        }
        return out;
    }

    /** ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; } */
    private static void resourceSpans(Wire in, List<ReceivedSpan> out) {
        String service = null;
        List<byte[]> scopes = new ArrayList<>();
        while (in.more()) {
            int tag = in.tag();
            if (tag == field(1)) {
                service = serviceName(new Wire(in.bytes()));
            } else if (tag == field(2)) {
                scopes.add(in.bytes());
            } else {
                in.skip(tag);
            }
        }
        for (byte[] scope : scopes) {
            Wire s = new Wire(scope); // ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
            while (s.more()) {
                int tag = s.tag();
                if (tag == field(2)) {
                    out.add(span(service, new Wire(s.bytes())));
                } else {
                    s.skip(tag);
                }
            }
        }
    }

    /** Resource { repeated KeyValue attributes = 1; } */
    private static String serviceName(Wire in) {
        Map<String, String> attributes = new LinkedHashMap<>();
        while (in.more()) {
            int tag = in.tag();
            if (tag == field(1)) {
                keyValue(new Wire(in.bytes()), attributes);
            } else {
                in.skip(tag);
            }
        }
        return attributes.get("service.name");
    }

    /** KeyValue { string key = 1; AnyValue value = 2; }, AnyValue { string string_value = 1; ...; int64 int_value = 3; ... } */
    private static void keyValue(Wire kv, Map<String, String> into) {
        String key = null;
        String value = null;
        while (kv.more()) {
            int t = kv.tag();
            if (t == field(1)) {
                key = kv.string();
            } else if (t == field(2)) {
                Wire any = new Wire(kv.bytes());
                while (any.more()) {
                    int a = any.tag();
                    if (a == field(1)) {
                        value = any.string();
                    } else if (a == (3 << 3)) { // int_value, a varint
                        value = Long.toString(any.varint());
                    } else {
                        any.skip(a);
                    }
                }
            } else {
                kv.skip(t);
            }
        }
        if (key != null && value != null) {
            into.put(key, value);
        }
    }

    /** Link { bytes trace_id = 1; bytes span_id = 2; ... } */
    private static Link link(Wire in) {
        String traceId = null;
        String spanId = null;
        while (in.more()) {
            int tag = in.tag();
            switch (tag >>> 3) {
                case 1 -> traceId = HexFormat.of().formatHex(in.bytes());
                case 2 -> spanId = HexFormat.of().formatHex(in.bytes());
                default -> in.skip(tag);
            }
        }
        return new Link(traceId, spanId);
    }

    /**
     * Span { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4; string name = 5;
     * SpanKind kind = 6; ...; repeated KeyValue attributes = 9; ...; repeated Link links = 13; ... }
     */
    private static ReceivedSpan span(String service, Wire in) {
        String traceId = null;
        String spanId = null;
        String parent = "";
        String name = null;
        int kind = 0;
        Map<String, String> attributes = new LinkedHashMap<>();
        List<Link> links = new ArrayList<>();
        while (in.more()) {
            int tag = in.tag();
            switch (tag >>> 3) {
                case 1 -> traceId = HexFormat.of().formatHex(in.bytes());
                case 2 -> spanId = HexFormat.of().formatHex(in.bytes());
                case 4 -> parent = HexFormat.of().formatHex(in.bytes());
                case 5 -> name = in.string();
                case 6 -> kind = (int) in.varint();
                case 9 -> keyValue(new Wire(in.bytes()), attributes);
                case 13 -> links.add(link(new Wire(in.bytes())));
                default -> in.skip(tag);
            }
        }
        return new ReceivedSpan(service, traceId, spanId, parent, name, kind, Map.copyOf(attributes), List.copyOf(links));
    }

    private static int field(int number) {
        return number << 3 | 2; // a length-delimited field
    }

    /** The protobuf wire format: varints, 64- and 32-bit fixed values, length-delimited bytes. */
    private static final class Wire {
        private final byte[] buf;
        private int pos;

        Wire(byte[] bytes) {
            this.buf = bytes;
        }

        boolean more() {
            return pos < buf.length;
        }

        int tag() {
            return (int) varint();
        }

        long varint() {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = buf[take(1)] & 0xff;
                value |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return value;
                }
            }
            throw new IllegalStateException("malformed varint");
        }

        byte[] bytes() {
            int n = (int) varint();
            int from = take(n);
            return java.util.Arrays.copyOfRange(buf, from, from + n);
        }

        String string() {
            return new String(bytes(), StandardCharsets.UTF_8);
        }

        void skip(int tag) {
            switch (tag & 7) {
                case 0 -> varint();
                case 1 -> take(8);
                case 2 -> bytes();
                case 5 -> take(4);
                default -> throw new IllegalStateException("unsupported wire type " + (tag & 7));
            }
        }

        /** Advances by {@code n} bytes; returns where they start. */
        private int take(int n) {
            if (n < 0 || pos + n > buf.length) {
                throw new IllegalStateException("truncated message");
            }
            int at = pos;
            pos += n;
            return at;
        }
    }
}
