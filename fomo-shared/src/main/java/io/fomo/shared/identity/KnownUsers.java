package io.fomo.shared.identity;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.fomo.shared.errors.ErrorCode;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.fomo.shared.grpc.ServiceTokens;
import io.fomo.shared.web.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Whether the identity provider knows a user (issue 17, "money to nobody"): an operator endpoint that credits a user
 * ({@code POST /api/v1/deposits}, {@code POST /api/v1/credits/topups}) first asks Keycloak's admin REST API,
 * {@code GET {fomo.keycloak.url}/admin/realms/{realm}/users/{userId}}, with this service's own client-credentials
 * token (its service account needs only the {@code realm-management} client role {@code view-users}). A user id is
 * the token subject {@code sub} (SPEC §8, §9: {@code GET /api/v1/balances/me} answers it as {@code userId}).
 *
 * <ul>
 * <li>Keycloak answers 200: known; remembered for {@code fomo.identity.cache-ttl} (positive answers only, so a user
 * created a moment ago is found at once).</li>
 * <li>404 (or 400 for an id Keycloak cannot even parse): {@link ProblemException} 404 {@code UNKNOWN_USER}.</li>
 * <li>Keycloak unreachable, slow beyond {@code fomo.identity.timeout}, answering 5xx, or refusing this service's
 * token (401/403: the service account lacks {@code view-users}): 503 {@code IDENTITY_UNAVAILABLE}. Not the caller's
 * fault, and nothing is written; the operator retries with the same idempotency key.</li>
 * </ul>
 * {@code fomo.identity.check-users=false} turns the check off (every id is taken as known). Other tunables:
 * {@code fomo.identity.realm} (default {@code fomo}), {@code fomo.identity.keycloak-url} (default
 * {@code fomo.keycloak.url}), {@code fomo.identity.cache-ttl} (default {@code PT5M}), {@code fomo.identity.cache-size}
 * (default 10000), {@code fomo.identity.timeout} (default {@code PT5S}).
 */
@ApplicationScoped
public class KnownUsers {

    private static final Logger LOG = Logger.getLogger(KnownUsers.class);

    @ConfigProperty(name = "fomo.identity.check-users", defaultValue = "true")
    boolean enabled;

    @ConfigProperty(name = "fomo.keycloak.url")
    String keycloakUrl;

    /** Where the admin API is, when not at {@code fomo.keycloak.url} (e.g. an in-cluster address). */
    @ConfigProperty(name = "fomo.identity.keycloak-url")
    Optional<String> adminUrl;

    @ConfigProperty(name = "fomo.identity.realm", defaultValue = "fomo")
    String realm;

    @ConfigProperty(name = "fomo.identity.cache-ttl", defaultValue = "PT5M")
    Duration cacheTtl;

    @ConfigProperty(name = "fomo.identity.cache-size", defaultValue = "10000")
    int cacheSize;

    @ConfigProperty(name = "fomo.identity.timeout", defaultValue = "PT5S")
    Duration timeout;

    @Inject
    ServiceTokens tokens;

    @Inject
    Vertx vertx;

    private volatile WebClient client;

    /** user id → when the positive answer expires (System.nanoTime()). */
    private final ConcurrentHashMap<String, Long> known = new ConcurrentHashMap<>();

    /** Succeeds when Keycloak knows {@code userId}; otherwise fails with 404 UNKNOWN_USER (or 503, see above). */
    public Uni<Void> requireKnown(String userId) {
        if (!enabled) {
            return Uni.createFrom().voidItem();
        }
        if (userId == null || userId.isBlank()) {
            return Uni.createFrom().failure(unknown(userId));
        }
        Long until = known.get(userId);
        if (until != null && until - System.nanoTime() > 0) {
            return Uni.createFrom().voidItem();
        }
        return tokens.accessToken()
                .onFailure().transform(e -> unavailable("cannot obtain this service's token: " + e.getMessage()))
                .flatMap(token -> client().getAbs(userUrl(userId)).bearerTokenAuthentication(token)
                        .timeout(timeout.toMillis()).send()
                        .onFailure().transform(e -> unavailable("Keycloak did not answer: " + e.getMessage())))
                .map(response -> answer(userId, response));
    }

    /** Forgets every remembered answer (tests; an operator who deleted a user need not wait for the TTL). */
    public void forget() {
        known.clear();
    }

    private Void answer(String userId, HttpResponse<?> response) {
        int status = response.statusCode();
        if (status == 200) {
            // The answer must be that very user (an id with path characters must not reach another resource).
            io.vertx.core.json.JsonObject user;
            try {
                user = response.bodyAsJsonObject();
            } catch (RuntimeException e) {
                throw unavailable("Keycloak answered 200 without a user representation");
            }
            if (user == null || !userId.equals(user.getString("id"))) {
                throw unknown(userId);
            }
            if (known.size() >= cacheSize) {
                known.clear();
            }
            known.put(userId, System.nanoTime() + cacheTtl.toNanos());
            return null;
        }
        if (status == 404 || status == 400) {
            throw unknown(userId);
        }
        if (status == 401 || status == 403) {
            throw unavailable("Keycloak refused this service's token (" + status
                    + "): its service account needs the realm-management role view-users");
        }
        throw unavailable("Keycloak answered " + status);
    }

    private String userUrl(String userId) {
        String url = adminUrl.filter(u -> !u.isBlank()).orElse(keycloakUrl);
        String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        return base + "/admin/realms/" + encode(realm) + "/users/" + encode(userId);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static ProblemException unknown(String userId) {
        return ErrorCode.UNKNOWN_USER.problem(
                "the identity provider knows no user " + (userId == null ? "(none)" : "\"" + userId + "\"")
                        + "; userId is the user's token subject (sub)");
    }

    private static ProblemException unavailable(String why) {
        LOG.warnf("user check unavailable: %s", why);
        return ErrorCode.IDENTITY_UNAVAILABLE.problem(
                "cannot check the user with the identity provider right now; nothing was written, retry later");
    }

    private WebClient client() {
        WebClient c = client;
        if (c == null) {
            synchronized (this) {
                if (client == null) {
                    client = WebClient.create(vertx);
                }
                c = client;
            }
        }
        return c;
    }

    @PreDestroy
    void close() {
        if (client != null) {
            client.close();
        }
    }
}
