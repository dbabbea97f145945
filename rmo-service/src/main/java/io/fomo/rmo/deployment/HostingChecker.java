package io.fomo.rmo.deployment;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

import io.fomo.rmo.config.RmoConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.mutiny.core.Vertx;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * "No model without real hosting: before an offering can open, the service verifies the hosting: GET {baseUrl}/models
 * answers 200 and lists the model id. The result and time are recorded." (SPEC §3)
 *
 * <p>The URL is the owner's input, so the check is built not to be turned against rmo or its network (issue #17):
 * <ul>
 * <li>http and https only;</li>
 * <li>the host name is resolved once and EVERY address it resolves to must be permitted by the {@link AddressFilter}
 * ({@code fomo.rmo.hosting-check.denied-ranges}, exceptions {@code allowed-ranges}); the connection then goes to one of
 * those checked addresses (the Host header and TLS SNI/verification keep the name), so a second DNS answer cannot
 * send it elsewhere (DNS rebinding);</li>
 * <li>no redirect is followed (a 3xx is a failed check): a redirect could only lead to another URL than the one the
 * owner registered;</li>
 * <li>the body is read as a stream and the check stops at {@code fomo.rmo.hosting-check.max-body-bytes} (a declared
 * Content-Length above it is refused before reading);</li>
 * <li>a connect timeout, an idle (read) timeout and a whole-request deadline ({@code fomo.rmo.hosting-check.timeout}),
 * after which the connection is reset.</li>
 * </ul>
 * Every failure is a result, never an exception: refused address, non-200, redirect, too large, model not listed,
 * unreachable, too slow, not JSON.
 */
@ApplicationScoped
public class HostingChecker {

    public record Result(boolean ok, Integer httpStatus, String detail, long latencyMs, Instant checkedAt) {
    }

    @Inject
    Vertx vertx;

    @Inject
    RmoConfig config;

    private Duration timeout;
    private int maxBodyBytes;
    private AddressFilter filter;
    private HttpClient client;

    @PostConstruct
    void init() {
        RmoConfig.HostingCheck c = config.hostingCheck();
        timeout = c.timeout();
        maxBodyBytes = c.maxBodyBytes();
        Duration connectTimeout = c.connectTimeout();
        filter = AddressFilter.of(c.deniedRanges().orElse(AddressFilter.DEFAULT_DENIED), c.allowedRanges().orElse(List.of()));
        client = vertx.getDelegate().createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) Math.min(Math.min(connectTimeout.toMillis(), timeout.toMillis()), Integer.MAX_VALUE))
                .setIdleTimeout((int) Math.min(timeout.toSeconds() + 1, Integer.MAX_VALUE)).setKeepAlive(false).setMaxPoolSize(8)
                .setForceSni(true).setVerifyHost(true).setMaxRedirects(0));
    }

    @PreDestroy
    void close() {
        client.close();
    }

    public AddressFilter filter() {
        return filter;
    }

    /** A refused check, before any connection. */
    private static final class Refused extends RuntimeException {
        Refused(String why) {
            super(why, null, false, false);
        }
    }

    public Uni<Result> check(String baseUrl, String modelId) {
        long start = System.nanoTime();
        Instant at = Instant.now();
        String url = baseUrl + "/models";
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().item(new Result(false, null, "GET " + url + ": not a valid URL", 0, at));
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
        String host = uri.getHost();
        if (!("http".equals(scheme) || "https".equals(scheme)) || host == null) {
            return Uni.createFrom().item(new Result(false, null, "GET " + url + ": only http and https URLs are checked", 0, at));
        }
        boolean tls = "https".equals(scheme);
        int port = uri.getPort() < 0 ? (tls ? 443 : 80) : uri.getPort();
        String bareHost = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return vertx.executeBlocking(() -> resolveAndPick(bareHost))
                .ifNoItem().after(timeout).failWith(() -> new TimeoutException("no DNS answer within " + timeout))
                .flatMap(address -> Uni.createFrom().completionStage(() -> get(address, port, bareHost, tls, path)
                        .toCompletionStage()))
                .map(resp -> {
                    long ms = (System.nanoTime() - start) / 1_000_000;
                    if (resp.status() >= 300 && resp.status() < 400) {
                        return new Result(false, resp.status(), "GET " + url + " answered HTTP " + resp.status()
                                + " (a redirect; redirects are not followed)", ms, at);
                    }
                    if (resp.status() != 200) {
                        return new Result(false, resp.status(), "GET " + url + " answered HTTP " + resp.status(), ms, at);
                    }
                    if (resp.body() == null) {
                        return new Result(false, 200, "GET " + url + ": the answer is larger than " + maxBodyBytes
                                + " bytes (fomo.rmo.hosting-check.max-body-bytes)", ms, at);
                    }
                    if (!lists(resp.body(), modelId)) {
                        return new Result(false, 200, "GET " + url + " does not list the model id " + modelId, ms, at);
                    }
                    return new Result(true, 200, null, ms, at);
                })
                .onFailure().recoverWithItem(e -> {
                    long ms = (System.nanoTime() - start) / 1_000_000;
                    String why = e instanceof Refused ? "refused: " + e.getMessage()
                            : e instanceof TimeoutException || String.valueOf(e.getMessage()).contains("timeout")
                                    || String.valueOf(e.getMessage()).contains("timed out")
                                    ? "no answer within " + timeout : "unreachable: " + e.getMessage();
                    return new Result(false, null, "GET " + url + ": " + why, ms, at);
                });
    }

    /** Resolves the host once; every address must be permitted; the first one is where the check connects. */
    private InetAddress resolveAndPick(String host) {
        InetAddress[] all;
        try {
            all = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new Refused("unknown host " + host);
        }
        if (all.length == 0) {
            throw new Refused("unknown host " + host);
        }
        for (InetAddress a : all) {
            Optional<AddressFilter.Cidr> by = filter.refusedBy(a);
            if (by.isPresent()) {
                throw new Refused(host + " resolves to " + a.getHostAddress() + ", in the denied range " + by.get()
                        + " (fomo.rmo.hosting-check.denied-ranges)");
            }
        }
        return all[0];
    }

    /** The status and, for a 200, the body (null when it exceeds the cap). */
    record Answer(int status, String body) {
    }

    private Future<Answer> get(InetAddress address, int port, String host, boolean tls, String path) {
        RequestOptions o = new RequestOptions().setMethod(HttpMethod.GET)
                .setServer(SocketAddress.inetSocketAddress(port, address.getHostAddress()))
                .setHost(host).setPort(port).setSsl(tls).setURI(path).setFollowRedirects(false)
                .putHeader("Accept", "application/json");
        Promise<Answer> result = Promise.promise();
        long timer = vertx.getDelegate().setTimer(Math.max(1, timeout.toMillis()),
                t -> result.tryFail(new TimeoutException("no answer within " + timeout)));
        client.request(o).onFailure(result::tryFail).onSuccess(req -> {
            result.future().onComplete(x -> {
                vertx.getDelegate().cancelTimer(timer);
                req.reset(); // a no-op once the answer is complete; otherwise the connection is dropped
            });
            req.exceptionHandler(result::tryFail);
            req.send().onFailure(result::tryFail).onSuccess(resp -> {
                resp.exceptionHandler(result::tryFail); // also takes the reset's own StreamResetException, quietly
                if (resp.statusCode() != 200) {
                    result.tryComplete(new Answer(resp.statusCode(), null));
                    return;
                }
                String length = resp.getHeader("Content-Length");
                if (length != null && tooLong(length)) {
                    result.tryComplete(new Answer(200, null));
                    return;
                }
                Buffer body = Buffer.buffer();
                resp.handler(chunk -> {
                    if (body.length() + chunk.length() > maxBodyBytes) {
                        result.tryComplete(new Answer(200, null));
                        resetQuietly(req);
                    } else {
                        body.appendBuffer(chunk);
                    }
                });
                resp.endHandler(v -> result.tryComplete(new Answer(200, body.toString())));
            });
        });
        return result.future();
    }

    private boolean tooLong(String contentLength) {
        try {
            return Long.parseLong(contentLength.trim()) > maxBodyBytes;
        } catch (NumberFormatException e) {
            return true;
        }
    }

    private static void resetQuietly(HttpClientRequest req) {
        try {
            req.reset();
        } catch (RuntimeException ignored) {
            // already closed
        }
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
