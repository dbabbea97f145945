package io.fomo.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** A tiny JSON-over-HTTP client for the services' public REST interfaces (SPEC §9). */
final class Rest {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** A non-2xx answer, with the problem+json body when there is one. */
    static final class RestException extends RuntimeException {
        final int status;
        final JsonNode body;

        RestException(String what, int status, JsonNode body) {
            super(what + " -> " + status + " " + body);
            this.status = status;
            this.body = body;
        }

        String code() {
            return body != null && body.hasNonNull("code") ? body.get("code").asText() : "";
        }
    }

    /** No answer at all (connection refused or reset): the service is down or restarting. */
    static final class Unreachable extends IllegalStateException {
        Unreachable(String what, IOException cause) {
            super(what + " failed: " + cause, cause);
        }
    }

    private Rest() {
    }

    /** True for an error that a later try may not meet: no answer, or 502/503/504 (a service starting or stopping). */
    static boolean transientFailure(RuntimeException e) {
        return e instanceof Unreachable
                || e instanceof RestException r && (r.status == 502 || r.status == 503 || r.status == 504);
    }

    static ObjectNode obj(Object... keyValues) {
        ObjectNode n = JSON.createObjectNode();
        for (int i = 0; i < keyValues.length; i += 2) {
            n.set((String) keyValues[i], JSON.valueToTree(keyValues[i + 1]));
        }
        return n;
    }

    static JsonNode get(String url, String token) {
        return send("GET", url, token, null, Map.of());
    }

    static JsonNode post(String url, String token, JsonNode body) {
        return send("POST", url, token, body, Map.of());
    }

    static JsonNode post(String url, String token, JsonNode body, String idempotencyKey) {
        return send("POST", url, token, body, Map.of("Idempotency-Key", idempotencyKey));
    }

    static String form(Map<String, String> form) {
        return form.entrySet().stream()
                .map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                .collect(Collectors.joining("&"));
    }

    static JsonNode postForm(String url, Map<String, String> form) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(form))).build();
        return execute("POST " + url, req);
    }

    private static JsonNode send(String method, String url, String token, JsonNode body, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .header("Accept", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        headers.forEach(b::header);
        if (body != null) {
            b.header("Content-Type", "application/json");
            b.method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return execute(method + " " + url, b.build());
    }

    private static JsonNode execute(String what, HttpRequest req) {
        try {
            HttpResponse<String> r = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
            JsonNode body = r.body() == null || r.body().isBlank() ? JSON.nullNode() : parse(r.body());
            if (r.statusCode() / 100 != 2) {
                throw new RestException(what, r.statusCode(), body);
            }
            return body;
        } catch (IOException e) {
            throw new Unreachable(what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode parse(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            return JSON.getNodeFactory().textNode(s);
        }
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }
}
