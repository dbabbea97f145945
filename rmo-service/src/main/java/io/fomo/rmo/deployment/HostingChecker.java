package io.fomo.rmo.deployment;

import java.time.Duration;
import java.time.Instant;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * "No model without real hosting: before an offering can open, the service verifies the hosting: GET {baseUrl}/models
 * answers 200 and lists the model id. The result and time are recorded." (SPEC §3)
 *
 * <p>Non-blocking (Vert.x WebClient) with a whole-request timeout ({@code fomo.rmo.hosting-check.timeout}). The
 * answer must be OpenAI's list form {@code {"data": [{"id": "..."}]}} (a bare array of such objects is accepted too).
 * Every failure is a result, never an exception: non-200, model not listed, unreachable, too slow, not JSON.
 */
@ApplicationScoped
public class HostingChecker {

    public record Result(boolean ok, Integer httpStatus, String detail, long latencyMs, Instant checkedAt) {
    }

    @Inject
    Vertx vertx;

    @ConfigProperty(name = "fomo.rmo.hosting-check.timeout", defaultValue = "PT5S")
    Duration timeout;

    private WebClient client;

    @PostConstruct
    void init() {
        client = WebClient.create(vertx, new WebClientOptions().setConnectTimeout((int) Math.min(timeout.toMillis(),
                Integer.MAX_VALUE)).setFollowRedirects(false).setMaxPoolSize(8));
    }

    @PreDestroy
    void close() {
        client.close();
    }

    public Uni<Result> check(String baseUrl, String modelId) {
        long start = System.nanoTime();
        Instant at = Instant.now();
        String url = baseUrl + "/models";
        return client.getAbs(url).timeout(timeout.toMillis()).putHeader("Accept", "application/json").send()
                .map(resp -> {
                    long ms = (System.nanoTime() - start) / 1_000_000;
                    if (resp.statusCode() != 200) {
                        return new Result(false, resp.statusCode(), "GET " + url + " answered HTTP " + resp.statusCode(),
                                ms, at);
                    }
                    if (!lists(resp.bodyAsString(), modelId)) {
                        return new Result(false, 200, "GET " + url + " does not list the model id " + modelId, ms, at);
                    }
                    return new Result(true, 200, null, ms, at);
                })
                .onFailure().recoverWithItem(e -> {
                    long ms = (System.nanoTime() - start) / 1_000_000;
                    String why = e instanceof java.util.concurrent.TimeoutException
                            || String.valueOf(e.getMessage()).contains("timeout")
                            ? "no answer within " + timeout : "unreachable: " + e.getMessage();
                    return new Result(false, null, "GET " + url + ": " + why, ms, at);
                });
    }

    static boolean lists(String body, String modelId) {
        try {
            Object parsed = body == null ? null : io.vertx.core.json.Json.decodeValue(body);
            JsonArray data = parsed instanceof JsonObject o ? o.getJsonArray("data")
                    : parsed instanceof JsonArray a ? a : null;
            if (data == null) {
                return false;
            }
            for (Object item : data) {
                if (item instanceof JsonObject m && modelId.equals(m.getString("id"))) {
                    return true;
                }
            }
            return false;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
