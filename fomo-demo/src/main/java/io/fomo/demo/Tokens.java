package io.fomo.demo;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Real tokens from the Keycloak realm {@code fomo} (SPEC §9): people through the public client {@code fomo-cli}
 * (the demo users' passwords are their names; local realm only), the API platform through its confidential client.
 */
final class Tokens {

    private record Cached(String token, Instant expiresAt) {
    }

    private final String keycloakUrl;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    Tokens(String keycloakUrl) {
        this.keycloakUrl = keycloakUrl;
    }

    String user(String name) {
        return cached("user:" + name, Map.of("grant_type", "password", "client_id", "fomo-cli",
                "username", name, "password", name, "scope", "openid"));
    }

    String client(String clientId, String secret) {
        return cached("client:" + clientId, Map.of("grant_type", "client_credentials", "client_id", clientId,
                "client_secret", secret));
    }

    /** The token's subject: the user id every service knows a person by (SPEC §9 "A user is the token's subject"). */
    static String subject(String jwt) {
        String[] parts = jwt.split("\\.");
        try {
            JsonNode claims = Rest.JSON.readTree(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
            return claims.get("sub").asText();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private String cached(String key, Map<String, String> form) {
        Cached c = cache.get(key);
        if (c != null && Instant.now().isBefore(c.expiresAt())) {
            return c.token();
        }
        JsonNode r = Rest.postForm(keycloakUrl + "/realms/fomo/protocol/openid-connect/token", form);
        String token = r.get("access_token").asText();
        cache.put(key, new Cached(token, Instant.now().plusSeconds(Math.max(5, r.get("expires_in").asLong() - 30))));
        return token;
    }
}
