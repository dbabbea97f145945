package io.fomo.demo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fomo.grpc.billing.v1.AuthorizeRequest;
import io.fomo.grpc.billing.v1.AuthorizeResponse;
import io.fomo.grpc.billing.v1.BillingGrpc;
import io.fomo.grpc.billing.v1.CaptureRequest;
import io.fomo.grpc.billing.v1.CaptureResponse;
import io.fomo.grpc.billing.v1.ReleaseRequest;
import io.fomo.grpc.rmo.v1.CatalogGrpc;
import io.fomo.grpc.rmo.v1.Deployment;
import io.fomo.grpc.rmo.v1.GetDeploymentRequest;
import io.grpc.CallCredentials;
import io.grpc.Metadata;

/**
 * The API platform's side of one inference request (SPEC §4), as the real platform would do it: find the model's
 * host through rmo's {@code Catalog}, {@code Authorize} the worst case on billing, call the model, {@code Capture}
 * the actual usage (or {@code Release} when the model call fails). Its gRPC calls carry the {@code api-platform}
 * service token (SPEC §8).
 */
final class ApiPlatform {

    /** What one request cost, as billing answered. */
    record Receipt(String user, long inputTokens, long outputTokens, String gross, String charged, String compute,
            String net, int discountBps) {
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final BillingGrpc.BillingBlockingStub billing;
    private final CatalogGrpc.CatalogBlockingStub catalog;
    /** Routing data per symbol, looked up once (a deployment's host and prices do not change once it is live). */
    private final java.util.Map<String, Deployment> routes = new java.util.concurrent.ConcurrentHashMap<>();

    ApiPlatform(BillingGrpc.BillingBlockingStub billing, CatalogGrpc.CatalogBlockingStub catalog, Supplier<String> token) {
        CallCredentials credentials = bearer(token);
        this.billing = billing.withCallCredentials(credentials);
        this.catalog = catalog.withCallCredentials(credentials);
    }

    /**
     * One chat completion for {@code userId} on the deployment {@code symbol}: a prompt of {@code promptWords} words
     * and {@code maxTokens} of output (the stand-in reports exactly these as usage).
     */
    Receipt chat(String userName, String userId, String symbol, int promptWords, int maxTokens) {
        Deployment d = route(symbol);
        String requestId = "demo-" + UUID.randomUUID();
        AuthorizeResponse hold = billing.authorize(AuthorizeRequest.newBuilder().setRequestId(requestId)
                .setUserId(userId).setDeploymentId(d.getDeploymentId())
                .setMaxInputTokens(promptWords).setMaxOutputTokens(maxTokens).build());
        JsonNode usage;
        try {
            usage = callModel(d, promptWords, maxTokens);
        } catch (RuntimeException e) {
            billing.release(ReleaseRequest.newBuilder().setRequestId(requestId).setHoldId(hold.getHoldId()).build());
            throw e;
        }
        long in = usage.path("prompt_tokens").asLong();
        long out = usage.path("completion_tokens").asLong();
        CaptureResponse c = billing.capture(CaptureRequest.newBuilder().setRequestId(requestId)
                .setHoldId(hold.getHoldId()).setInputTokens(in).setOutputTokens(out).build());
        return new Receipt(userName, in, out, c.getGross(), c.getCharged(), c.getComputeCost(), c.getNet(),
                c.getDiscountBps());
    }

    /** The discount billing applies to this user now: a 1-token hold, released at once. */
    int probeDiscount(String userId, String symbol) {
        Deployment d = route(symbol);
        String requestId = "demo-probe-" + UUID.randomUUID();
        AuthorizeResponse hold = billing.authorize(AuthorizeRequest.newBuilder().setRequestId(requestId)
                .setUserId(userId).setDeploymentId(d.getDeploymentId()).setMaxInputTokens(1).setMaxOutputTokens(1).build());
        billing.release(ReleaseRequest.newBuilder().setRequestId(requestId).setHoldId(hold.getHoldId()).build());
        return hold.getDiscountBps();
    }

    /**
     * Whether billing authorizes a request on {@code symbol} for {@code userId} now: "HELD" (the 1-token hold is
     * released at once), or the refusal as {@code "<gRPC status> <code>"} (e.g. {@code FAILED_PRECONDITION
     * DEPLOYMENT_SUSPENDED}). The route is the one looked up while the model was live, as a platform keeps it.
     */
    String authorizeOutcome(String userId, String symbol) {
        Deployment d = route(symbol);
        String requestId = "demo-try-" + UUID.randomUUID();
        try {
            AuthorizeResponse hold = billing.authorize(AuthorizeRequest.newBuilder().setRequestId(requestId)
                    .setUserId(userId).setDeploymentId(d.getDeploymentId()).setMaxInputTokens(1).setMaxOutputTokens(1)
                    .build());
            billing.release(ReleaseRequest.newBuilder().setRequestId(requestId).setHoldId(hold.getHoldId()).build());
            return "HELD";
        } catch (io.grpc.StatusRuntimeException e) {
            String description = String.valueOf(e.getStatus().getDescription());
            int colon = description.indexOf(':');
            return e.getStatus().getCode() + " " + (colon > 0 ? description.substring(0, colon) : description);
        }
    }

    private Deployment route(String symbol) {
        return routes.computeIfAbsent(symbol,
                s -> catalog.getDeployment(GetDeploymentRequest.newBuilder().setSymbol(s).build()));
    }

    private static JsonNode callModel(Deployment d, int promptWords, int maxTokens) {
        ObjectNode body = Rest.obj("model", d.getModelId(), "max_tokens", maxTokens);
        body.putArray("messages").addObject().put("role", "user").put("content", "word ".repeat(promptWords).trim());
        HttpRequest req = HttpRequest.newBuilder(URI.create(d.getBaseUrl() + "/chat/completions"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        try {
            HttpResponse<String> r = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("model host answered " + r.statusCode());
            }
            return Rest.JSON.readTree(r.body()).path("usage");
        } catch (java.io.IOException e) {
            throw new IllegalStateException("model host unreachable at " + d.getBaseUrl() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static CallCredentials bearer(Supplier<String> token) {
        Metadata.Key<String> auth = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
        return new CallCredentials() {
            @Override
            public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
                executor.execute(() -> {
                    Metadata m = new Metadata();
                    m.put(auth, "Bearer " + token.get());
                    applier.apply(m);
                });
            }
        };
    }
}
