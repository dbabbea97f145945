package io.fomo.testkit;

import static io.restassured.RestAssured.given;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Real access tokens from the Keycloak realm {@code fomo} (SPEC §9) for tests: people through the public
 * client {@code fomo-cli} (password grant, each demo user's password is their name) and services through
 * their confidential clients (client credentials, secret {@code <client>-secret}).
 *
 * <p>The Keycloak base URL is {@code FOMO_KEYCLOAK_URL} (set by {@code deploy/local/test.sh}, which starts a
 * Keycloak of its own for the test run), else {@code http://localhost:8180}.
 */
public final class KeycloakTokens {

    private record Cached(String token, Instant expiresAt) {
    }

    private static final Map<String, Cached> CACHE = new ConcurrentHashMap<>();

    private KeycloakTokens() {
    }

    public static String baseUrl() {
        return System.getProperty("fomo.keycloak.url", TestDatabase.env("FOMO_KEYCLOAK_URL", "http://localhost:8180"));
    }

    /** An access token of a demo user (alice, bob, carol, dave, op). */
    public static String user(String username) {
        return cached("user:" + username, Map.of(
                "grant_type", "password", "client_id", "fomo-cli",
                "username", username, "password", username, "scope", "openid"));
    }

    /** A service-account access token of a confidential client (e.g. api-platform, rmo-service). */
    public static String service(String clientId) {
        return cached("service:" + clientId, Map.of(
                "grant_type", "client_credentials", "client_id", clientId,
                "client_secret", clientId + "-secret"));
    }

    /**
     * A demo user's token issued to Keycloak's built-in public client {@code admin-cli} of realm fomo: a real token of
     * the right realm but of a client no service accepts (the audience check's foreign client, issue #17).
     */
    public static String foreignClientUser(String username) {
        return cached("admin-cli:" + username, Map.of(
                "grant_type", "password", "client_id", "admin-cli",
                "username", username, "password", username));
    }

    private static String cached(String key, Map<String, String> form) {
        Cached c = CACHE.get(key);
        if (c != null && Instant.now().isBefore(c.expiresAt())) {
            return c.token();
        }
        var response = given().formParams(form)
                .post(baseUrl() + "/realms/fomo/protocol/openid-connect/token")
                .then().statusCode(200).extract().jsonPath();
        String token = response.getString("access_token");
        int expiresIn = response.getInt("expires_in");
        CACHE.put(key, new Cached(token, Instant.now().plusSeconds(Math.max(5, expiresIn - 30))));
        return token;
    }
}
