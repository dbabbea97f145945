package io.fomo.standin;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A tiny OpenAI-compatible model host (JDK {@code com.sun.net.httpserver} only) for tests, the demo and the local
 * suite: {@code GET {baseUrl}/models} lists the configured model ids in OpenAI's form {@code {"object":"list","data":
 * [{"id":...,"object":"model"}]}} (what rmo's hosting check asks, SPEC §3 "No model without real hosting"),
 * {@code POST {baseUrl}/chat/completions} answers a fixed completion with a deterministic {@code usage} block, so a
 * story's numbers are exact: {@code prompt_tokens} = the number of whitespace-separated words in the messages'
 * {@code content} strings, {@code completion_tokens} = the request's {@code max_tokens} (16 without it).
 * {@link #baseUrl()} ends in {@code /v1}.
 *
 * <p>Standalone: {@code java -jar fomo-standin.jar [port] [model-id ...]} (default 8090, {@code Qwen/Qwen3-32B}).
 *
 * <p>Failure modes for hosting-check tests: {@link #status(int)} (answer /models with another status),
 * {@link #delay(Duration)} (answer late), {@link #models(String...)} (list other ids); {@link #close()} makes it
 * unreachable.
 *
 * <p>HTTP control, so another process (the README's story, a script) can make a running stand-in fail and recover
 * (issue #22: suspension and resumption of a live deployment):
 * <ul>
 *   <li>{@code POST /control/status} with body {@code {"status":503}}: {@code /v1/models} answers 503 from now on
 *       (any status 200..599; {@code {"status":200}} heals it); answers {@code {"status":503}};</li>
 *   <li>{@code GET /control/status}: the status {@code /v1/models} answers now, {@code {"status":200}}.</li>
 * </ul>
 * e.g. {@code curl -X POST -d '{"status":503}' http://127.0.0.1:8090/control/status}. Anything else on
 * {@code /control/status} is a 400 (unreadable body or status out of range) or 405. The stand-in listens on 127.0.0.1
 * only, so only local processes can use it.
 */
public final class OpenAiStandIn implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "openai-stand-in");
        t.setDaemon(true);
        return t;
    });
    private final List<String> models = new CopyOnWriteArrayList<>();
    private final AtomicInteger status = new AtomicInteger(200);
    private final AtomicLong delayMillis = new AtomicLong();
    private final AtomicInteger modelRequests = new AtomicInteger();
    private final AtomicInteger completionRequests = new AtomicInteger();

    private OpenAiStandIn(int port, String... modelIds) {
        models.addAll(List.of(modelIds));
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(executor);
        server.createContext("/v1/models", this::models);
        server.createContext("/v1/chat/completions", this::completions);
        server.createContext("/control/status", this::control);
        server.start();
    }

    /** Starts a stand-in serving these model ids. */
    public static OpenAiStandIn start(String... modelIds) {
        return new OpenAiStandIn(0, modelIds);
    }

    /** Starts a stand-in on a fixed port (0: a free one). */
    public static OpenAiStandIn startOn(int port, String... modelIds) {
        return new OpenAiStandIn(port, modelIds);
    }

    /** {@code java -jar fomo-standin.jar [port] [model-id ...]}: serves until killed. */
    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8090;
        String[] ids = args.length > 1 ? java.util.Arrays.copyOfRange(args, 1, args.length) : new String[] {"Qwen/Qwen3-32B"};
        OpenAiStandIn standIn = startOn(port, ids);
        System.out.println("OpenAI-compatible stand-in for " + String.join(", ", ids) + " at " + standIn.baseUrl());
        Thread.currentThread().join();
    }

    /** {@code http://127.0.0.1:<port>/v1} */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    public OpenAiStandIn models(String... modelIds) {
        models.clear();
        models.addAll(List.of(modelIds));
        return this;
    }

    public OpenAiStandIn status(int httpStatus) {
        status.set(httpStatus);
        return this;
    }

    public OpenAiStandIn delay(Duration d) {
        delayMillis.set(d.toMillis());
        return this;
    }

    public int modelRequests() {
        return modelRequests.get();
    }

    public int completionRequests() {
        return completionRequests.get();
    }

    private void models(HttpExchange ex) throws IOException {
        modelRequests.incrementAndGet();
        pause();
        if (!"GET".equals(ex.getRequestMethod())) {
            send(ex, 405, "{\"error\":{\"message\":\"method not allowed\"}}");
            return;
        }
        if (status.get() != 200) {
            send(ex, status.get(), "{\"error\":{\"message\":\"stand-in configured to fail\"}}");
            return;
        }
        StringBuilder b = new StringBuilder("{\"object\":\"list\",\"data\":[");
        for (int i = 0; i < models.size(); i++) {
            b.append(i == 0 ? "" : ",").append("{\"id\":\"").append(escape(models.get(i)))
                    .append("\",\"object\":\"model\",\"owned_by\":\"fomo-stand-in\"}");
        }
        send(ex, 200, b.append("]}").toString());
    }

    /** The HTTP control of {@link #status(int)} (see the class comment). */
    private void control(HttpExchange ex) throws IOException {
        if (!"/control/status".equals(ex.getRequestURI().getPath())) {
            send(ex, 404, "{\"error\":{\"message\":\"not found\"}}");
            return;
        }
        if ("GET".equals(ex.getRequestMethod())) {
            send(ex, 200, "{\"status\":" + status.get() + "}");
            return;
        }
        if (!"POST".equals(ex.getRequestMethod())) {
            send(ex, 405, "{\"error\":{\"message\":\"method not allowed\"}}");
            return;
        }
        byte[] body = ex.getRequestBody().readNBytes(1024);
        long wanted = longField(new String(body, StandardCharsets.UTF_8), "status", -1);
        if (wanted < 200 || wanted > 599) {
            send(ex, 400, "{\"error\":{\"message\":\"body must be {\\\"status\\\": 200..599}\"}}");
            return;
        }
        status((int) wanted);
        send(ex, 200, "{\"status\":" + wanted + "}");
    }

    private void completions(HttpExchange ex) throws IOException {
        completionRequests.incrementAndGet();
        pause();
        byte[] body = ex.getRequestBody().readAllBytes();
        if (!"POST".equals(ex.getRequestMethod())) {
            send(ex, 405, "{\"error\":{\"message\":\"method not allowed\"}}");
            return;
        }
        String text = new String(body, StandardCharsets.UTF_8);
        String model = models.isEmpty() ? "unknown" : models.get(0);
        int at = text.indexOf("\"model\"");
        if (at >= 0) {
            int q1 = text.indexOf('"', text.indexOf(':', at) + 1);
            int q2 = q1 < 0 ? -1 : text.indexOf('"', q1 + 1);
            if (q1 >= 0 && q2 > q1) {
                model = text.substring(q1 + 1, q2);
            }
        }
        long prompt = promptWords(text);
        long completion = longField(text, "max_tokens", 16);
        send(ex, 200, "{\"id\":\"chatcmpl-standin-" + completionRequests.get() + "\",\"object\":\"chat.completion\","
                + "\"created\":" + (System.currentTimeMillis() / 1000) + ",\"model\":\"" + escape(model) + "\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hello from the FOMO stand-in.\"},"
                + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":"
                + completion + ",\"total_tokens\":" + (prompt + completion) + "}}");
    }

    /** Words of every {@code "content": "..."} string (a naive reading of the JSON, enough for a stand-in). */
    static long promptWords(String json) {
        long words = 0;
        int at = 0;
        while ((at = json.indexOf("\"content\"", at)) >= 0) {
            int colon = json.indexOf(':', at);
            int q1 = colon < 0 ? -1 : json.indexOf('"', colon + 1);
            if (q1 < 0) {
                break;
            }
            StringBuilder value = new StringBuilder();
            int i = q1 + 1;
            for (; i < json.length() && json.charAt(i) != '"'; i++) {
                char c = json.charAt(i);
                if (c == '\\' && i + 1 < json.length()) {
                    i++;
                    c = json.charAt(i) == 'n' || json.charAt(i) == 't' ? ' ' : json.charAt(i);
                }
                value.append(c);
            }
            String v = value.toString().trim();
            words += v.isEmpty() ? 0 : v.split("\\s+").length;
            at = i + 1;
        }
        return words;
    }

    static long longField(String json, String name, long fallback) {
        int at = json.indexOf("\"" + name + "\"");
        if (at < 0) {
            return fallback;
        }
        int i = json.indexOf(':', at) + 1;
        while (i < json.length() && Character.isWhitespace(json.charAt(i))) {
            i++;
        }
        int j = i;
        while (j < json.length() && Character.isDigit(json.charAt(j))) {
            j++;
        }
        return j > i ? Long.parseLong(json.substring(i, j)) : fallback;
    }

    private void pause() {
        long ms = delayMillis.get();
        if (ms > 0) {
            try {
                Thread.sleep(ms); // simulating a slow host is this stand-in's job
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void send(HttpExchange ex, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
