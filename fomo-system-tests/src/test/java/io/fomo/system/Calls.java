package io.fomo.system;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;

/**
 * The calls a client of the suite makes (REST with JSON, and the API platform's gRPC calls to billing), each
 * <b>retried while the service does not answer</b> (connection refused or reset, 502/503/504, any 5xx, gRPC
 * {@code UNAVAILABLE}/{@code DEADLINE_EXCEEDED}/{@code UNKNOWN}/{@code INTERNAL}), as a real client does while a service
 * restarts: every write carries an idempotency key (or a request id), so a retry after a lost answer replays the first
 * one. Other answers (4xx, gRPC refusals) are thrown at once as {@link Refused}.
 */
final class Calls {

    /** How long a call waits for its service to come back (a restart under load takes a minute at worst). */
    static final Duration PATIENCE = Duration.ofMinutes(3);

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** An answer that a retry would not change: a 4xx with its problem+json body, or a gRPC refusal. */
    static final class Refused extends RuntimeException {
        final int status;
        final String code;
        final JsonNode body;

        Refused(String what, int status, String code, JsonNode body) {
            super(what + " -> " + status + " " + code + " " + body);
            this.status = status;
            this.code = code;
            this.body = body;
        }
    }

    /** The service did not answer (or answered 5xx): worth another try. */
    private static final class Unavailable extends RuntimeException {
        Unavailable(String what, Throwable cause) {
            super(what + ": " + cause, cause);
        }
    }

    private Calls() {
    }

    static JsonNode get(String url, String token) {
        return retrying("GET " + url, () -> send("GET", url, token, null, null));
    }

    static JsonNode post(String url, String token, JsonNode body, String idempotencyKey) {
        return retrying("POST " + url, () -> send("POST", url, token, body, idempotencyKey));
    }

    static ObjectNode obj(Object... keyValues) {
        ObjectNode n = DemoRun.JSON.createObjectNode();
        for (int i = 0; i < keyValues.length; i += 2) {
            n.set((String) keyValues[i], DemoRun.JSON.valueToTree(keyValues[i + 1]));
        }
        return n;
    }

    /** {@code call} again while its service does not answer, up to {@link #PATIENCE}. */
    static <T> T retrying(String what, Supplier<T> call) {
        Instant deadline = Instant.now().plus(PATIENCE);
        while (true) {
            try {
                return call.get();
            } catch (Unavailable e) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("gave up on " + what + " after " + PATIENCE, e);
                }
                pause();
            }
        }
    }

    /** Polls {@code probe} (its service may be restarting) until it gives a value, up to {@code timeout}. */
    static <T> T await(String what, Duration timeout, Supplier<T> probe) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            T value = retrying(what, probe);
            if (value != null) {
                return value;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("gave up waiting for " + what + " after " + timeout);
            }
            pause();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(250); // polling a remote condition: there is nothing to be notified by
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode send(String method, String url, String token, JsonNode body, String idempotencyKey) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .header("Accept", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (idempotencyKey != null) {
            b.header("Idempotency-Key", idempotencyKey);
        }
        if (body != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        String what = method + " " + url;
        HttpResponse<String> r;
        try {
            r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Unavailable(what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        JsonNode json;
        try {
            json = r.body() == null || r.body().isBlank() ? DemoRun.JSON.nullNode() : DemoRun.JSON.readTree(r.body());
        } catch (IOException e) {
            json = DemoRun.JSON.getNodeFactory().textNode(r.body());
        }
        if (r.statusCode() >= 500) {
            throw new Unavailable(what, new IllegalStateException(r.statusCode() + " " + json));
        }
        if (r.statusCode() / 100 != 2) {
            throw new Refused(what, r.statusCode(), json.path("code").asText(""), json);
        }
        return json;
    }

    /**
     * The API platform's side of billing's gRPC {@code Billing} service (fomo-shared's billing.proto), with the
     * {@code api-platform} service token; a call is retried with the same request id while billing does not answer,
     * and billing replays its first answer.
     */
    static final class Billing implements AutoCloseable {

        private static final MethodDescriptor<byte[], byte[]> AUTHORIZE = method("Authorize");
        private static final MethodDescriptor<byte[], byte[]> CAPTURE = method("Capture");
        private static final MethodDescriptor<byte[], byte[]> RELEASE = method("Release");

        private final ManagedChannel channel;
        private final Supplier<String> token;

        Billing(int port, Supplier<String> token) {
            this.channel = ManagedChannelBuilder.forAddress("localhost", port).usePlaintext().build();
            this.token = token;
        }

        /** AuthorizeResponse: 1 hold_id, 2 held, 3 discount_bps, 5 state, 6 available. */
        Map<Integer, Object> authorize(String requestId, String userId, String deploymentId, long maxIn, long maxOut) {
            return call("Authorize " + requestId, AUTHORIZE, new Encoder().string(1, requestId).string(2, userId)
                    .string(3, deploymentId).int64(4, maxIn).int64(5, maxOut).bytes());
        }

        /** CaptureResponse: 2 gross, 3 charged, 4 compute_cost, 5 net, 6 discount_bps, 12 uncollected. */
        Map<Integer, Object> capture(String requestId, String holdId, long in, long out) {
            return call("Capture " + requestId, CAPTURE,
                    new Encoder().string(1, requestId).string(2, holdId).int64(3, in).int64(4, out).bytes());
        }

        Map<Integer, Object> release(String requestId, String holdId) {
            return call("Release " + requestId, RELEASE, new Encoder().string(1, requestId).string(2, holdId).bytes());
        }

        private Map<Integer, Object> call(String what, MethodDescriptor<byte[], byte[]> method, byte[] request) {
            return retrying(what, () -> {
                Metadata auth = new Metadata();
                auth.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token.get());
                try {
                    byte[] answer = ClientCalls.blockingUnaryCall(
                            io.grpc.ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(auth)), method,
                            CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), request);
                    return decode(answer);
                } catch (StatusRuntimeException e) {
                    Status.Code c = e.getStatus().getCode();
                    if (c == Status.Code.UNAVAILABLE || c == Status.Code.DEADLINE_EXCEEDED || c == Status.Code.UNKNOWN
                            || c == Status.Code.INTERNAL || c == Status.Code.ABORTED) {
                        throw new Unavailable(what, e);
                    }
                    // the body: the status description, "<CODE>: detail" (fomo-shared GrpcErrors)
                    throw new Refused(what, c.value(), c.name(),
                            DemoRun.JSON.getNodeFactory().textNode(String.valueOf(e.getStatus().getDescription())));
                }
            });
        }

        @Override
        public void close() {
            channel.shutdownNow();
        }

        private static MethodDescriptor<byte[], byte[]> method(String name) {
            MethodDescriptor.Marshaller<byte[]> raw = new MethodDescriptor.Marshaller<>() {
                @Override
                public InputStream stream(byte[] value) {
                    return new ByteArrayInputStream(value);
                }

                @Override
                public byte[] parse(InputStream stream) {
                    try {
                        return stream.readAllBytes();
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }
            };
            return MethodDescriptor.<byte[], byte[]>newBuilder().setType(MethodDescriptor.MethodType.UNARY)
                    .setFullMethodName(MethodDescriptor.generateFullMethodName("fomo.billing.v1.Billing", name))
                    .setRequestMarshaller(raw).setResponseMarshaller(raw).build();
        }
    }

    /** The protobuf wire format, the little of it the billing messages need: strings and int64 varints. */
    private static final class Encoder {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Encoder string(int field, String value) {
            byte[] b = value.getBytes(StandardCharsets.UTF_8);
            varint(field << 3 | 2);
            varint(b.length);
            out.writeBytes(b);
            return this;
        }

        Encoder int64(int field, long value) {
            varint(field << 3);
            varint(value);
            return this;
        }

        private void varint(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    /** A message's fields by number: varints as Long, length-delimited as String (nested messages are not needed). */
    static Map<Integer, Object> decode(byte[] buf) {
        Map<Integer, Object> fields = new HashMap<>();
        int[] pos = {0};
        while (pos[0] < buf.length) {
            long tag = varint(buf, pos);
            int field = (int) (tag >>> 3);
            switch ((int) (tag & 7)) {
                case 0 -> fields.put(field, varint(buf, pos));
                case 1 -> pos[0] += 8;
                case 2 -> {
                    int n = (int) varint(buf, pos);
                    fields.put(field, new String(buf, pos[0], n, StandardCharsets.UTF_8));
                    pos[0] += n;
                }
                case 5 -> pos[0] += 4;
                default -> throw new IllegalStateException("unsupported wire type in field " + field);
            }
        }
        return fields;
    }

    private static long varint(byte[] buf, int[] pos) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = buf[pos[0]++] & 0xff;
            value |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IllegalStateException("malformed varint");
    }

    /** A string field of a decoded message ("" when absent: proto3 leaves defaults out). */
    static String text(Map<Integer, Object> m, int field) {
        Object v = m.get(field);
        return v == null ? "" : v.toString();
    }

    /** A varint field of a decoded message (0 when absent). */
    static long number(Map<Integer, Object> m, int field) {
        Object v = m.get(field);
        return v == null ? 0 : (Long) v;
    }
}
