package io.fomo.emission;

import static io.restassured.RestAssured.given;

import org.junit.jupiter.api.Test;

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
    void theSameOperatorsTokenIssuedToAnotherClientOfTheRealmIsUnauthenticated() {
        given().auth().oauth2(KeycloakTokens.foreignClientUser("op")).get(OPERATOR_ENDPOINT).then().statusCode(401);
        given().auth().oauth2(KeycloakTokens.foreignClientUser("bob")).get("/api/v1/epochs").then().statusCode(401);
    }
}
