package io.fomo.billing.holds;

import static io.fomo.billing.BillingFixtures.authorizeRequest;
import static io.fomo.billing.BillingFixtures.billing;
import static io.fomo.billing.BillingFixtures.deployment;
import static io.fomo.billing.BillingFixtures.newUser;
import static io.fomo.billing.BillingFixtures.platform;
import static io.fomo.billing.BillingFixtures.statusOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.billing.catalog.Catalog;
import io.fomo.grpc.billing.v1.AuthorizeRequest;
import io.fomo.testkit.KeycloakTokens;
import io.fomo.testkit.TestDatabase;
import io.grpc.Status;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * Issue #17 on gRPC (fomo-shared {@code config.TokenClients}): a token of the realm issued to a client outside the
 * suite (Keycloak's built-in {@code admin-cli}) is UNAUTHENTICATED on billing's gRPC, before any allow-list looks at
 * it (the same user's {@code fomo-cli} token is PERMISSION_DENIED there: authenticated, but not the API platform).
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class TokenClientsGrpcQuarkusTest {

    @Inject
    Catalog catalog;

    @Test
    void aTokenIssuedToAnotherClientOfTheRealmIsUnauthenticated() throws Exception {
        String dep = deployment(catalog, "alice");
        AuthorizeRequest a = authorizeRequest(newUser(), dep, 1, 1);
        String foreign = adminCliToken("op");
        assertThat(statusOf(() -> billing(foreign).authorize(a))).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(statusOf(() -> billing(KeycloakTokens.user("op")).authorize(a)))
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(statusOf(() -> platform().authorize(a))).isNotEqualTo(Status.Code.UNAUTHENTICATED);
    }

    /** A password-grant token from Keycloak's built-in public client {@code admin-cli} of realm fomo. */
    private static String adminCliToken(String user) throws Exception {
        String form = "grant_type=password&client_id=admin-cli&username=" + URLEncoder.encode(user, StandardCharsets.UTF_8)
                + "&password=" + URLEncoder.encode(user, StandardCharsets.UTF_8);
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(KeycloakTokens.baseUrl() + "/realms/fomo/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("admin-cli token: %s", r.body()).isEqualTo(200);
        return new ObjectMapper().readTree(r.body()).path("access_token").asText();
    }
}
