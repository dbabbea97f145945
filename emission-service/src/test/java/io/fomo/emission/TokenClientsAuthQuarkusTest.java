package io.fomo.emission;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.testkit.KeycloakTokens;
import io.fomo.testkit.ServiceProcessResource;
import io.fomo.testkit.TestDatabase;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Issue #17 "tokens are not checked for their audience" (fomo-shared {@code config.TokenClients}): a service accepts
 * a token only when issued to one of the suite's clients. The operator's token from Keycloak's built-in
 * {@code admin-cli} client of the same realm (same user, same signature) is 401 where the same user's
 * {@code fomo-cli} token is 200.
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = ServiceProcessResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "service", value = "treasury"))
class TokenClientsAuthQuarkusTest {

    private static final String OPERATOR_ENDPOINT = "/api/v1/ops/service-info";

    @Test
    void theOperatorsTokenFromTheSuitesClientPasses() {
        given().auth().oauth2(KeycloakTokens.user("op")).get(OPERATOR_ENDPOINT).then().statusCode(200);
    }

    @Test
    void theSameOperatorsTokenIssuedToAnotherClientOfTheRealmIsUnauthenticated() throws Exception {
        given().auth().oauth2(adminCliToken("op")).get(OPERATOR_ENDPOINT).then().statusCode(401);
        given().auth().oauth2(adminCliToken("bob")).get("/api/v1/epochs").then().statusCode(401);
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
        String token = new ObjectMapper().readTree(r.body()).path("access_token").asText();
        assertThat(token).isNotBlank();
        return token;
    }
}
