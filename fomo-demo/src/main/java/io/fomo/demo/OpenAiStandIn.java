package io.fomo.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A tiny OpenAI-compatible model host for the demo: {@code GET /models} lists the model (what rmo's hosting check
 * asks, SPEC §3 "No model without real hosting") and {@code POST /chat/completions} answers with a deterministic
 * usage, so the story's numbers are exact: {@code prompt_tokens} = the number of whitespace-separated words of
 * the messages' contents, {@code completion_tokens} = the request's {@code max_tokens}.
 */
final class OpenAiStandIn implements AutoCloseable {

    private final HttpServer server;
    private final String modelId;

    OpenAiStandIn(int port, String modelId) throws IOException {
        this.modelId = modelId;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/v1/models", this::models);
        server.createContext("/v1/chat/completions", this::completions);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
    }

    /** The OpenAI-compatible base URL, e.g. {@code http://127.0.0.1:41234/v1}. */
    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    private void models(HttpExchange ex) throws IOException {
        ObjectNode model = Rest.obj("id", modelId, "object", "model", "owned_by", "fomo-demo");
        ObjectNode body = Rest.obj("object", "list");
        body.putArray("data").add(model);
        reply(ex, 200, body);
    }

    private void completions(HttpExchange ex) throws IOException {
        if (!"POST".equals(ex.getRequestMethod())) {
            reply(ex, 405, Rest.obj("error", "POST only"));
            return;
        }
        JsonNode req;
        try (InputStream in = ex.getRequestBody()) {
            req = Rest.JSON.readTree(in);
        }
        long promptTokens = 0;
        for (JsonNode m : req.path("messages")) {
            String content = m.path("content").asText("").trim();
            promptTokens += content.isEmpty() ? 0 : content.split("\\s+").length;
        }
        long completionTokens = req.path("max_tokens").asLong(16);
        ObjectNode body = Rest.obj("id", "chatcmpl-" + UUID.randomUUID(), "object", "chat.completion",
                "model", req.path("model").asText(modelId));
        ArrayNode choices = body.putArray("choices");
        ObjectNode choice = choices.addObject();
        choice.put("index", 0);
        choice.put("finish_reason", "length");
        choice.putObject("message").put("role", "assistant").put("content", "ok ".repeat(8).trim());
        body.putObject("usage").put("prompt_tokens", promptTokens).put("completion_tokens", completionTokens)
                .put("total_tokens", promptTokens + completionTokens);
        reply(ex, 200, body);
    }

    private static void reply(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
