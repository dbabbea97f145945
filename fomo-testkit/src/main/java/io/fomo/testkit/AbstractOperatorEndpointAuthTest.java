package io.fomo.testkit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;

/**
 * SPEC §8 against the real Keycloak, for the operator endpoint every service serves
 * ({@code GET /api/v1/ops/service-info}): anonymous → 401, a user → 403, an operator → 200.
 * Each service runs it with a subclass annotated {@code @QuarkusTest}.
 */
public abstract class AbstractOperatorEndpointAuthTest {

    protected abstract String serviceName();

    @Test
    void anonymousIsUnauthorized() {
        given().when().get("/api/v1/ops/service-info").then().statusCode(401);
    }

    @Test
    void userWithoutOperatorRoleIsForbidden() {
        given().auth().oauth2(KeycloakTokens.user("bob"))
                .when().get("/api/v1/ops/service-info")
                .then().statusCode(403)
                .contentType("application/problem+json")
                .body("code", equalTo("FORBIDDEN"));
    }

    @Test
    void operatorIsAllowed() {
        given().auth().oauth2(KeycloakTokens.user("op"))
                .when().get("/api/v1/ops/service-info")
                .then().statusCode(200)
                .body("service", equalTo(serviceName()));
    }
}
