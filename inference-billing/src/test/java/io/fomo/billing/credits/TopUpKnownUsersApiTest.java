package io.fomo.billing.credits;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.Base64;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.testkit.KeycloakTokens;
import io.fomo.testkit.TestDatabase;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Issue #17, money to nobody: an operator top-up credits only a subject the identity provider knows. Asked of the
 * real Keycloak through its admin API with billing's own service account (realm-management view-users).
 */
@QuarkusTest
@TestProfile(TopUpKnownUsersApiTest.CheckUsers.class)
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class TopUpKnownUsersApiTest {

    public static class CheckUsers implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("fomo.identity.check-users", "true");
        }
    }

    @Test
    void aTopUpForASubjectKeycloakDoesNotKnowIs404UnknownUserAndWritesNothing() {
        for (String nobody : new String[] {"nobody", UUID.randomUUID().toString(), "<script>alert(1)</script>"}) {
            given().auth().oauth2(KeycloakTokens.user("op")).contentType("application/json")
                    .body("{\"topupId\":\"t-" + UUID.randomUUID() + "\",\"userId\":\"" + nobody + "\",\"amount\":\"5\"}")
                    .post("/api/v1/credits/topups").then().statusCode(404).contentType("application/problem+json")
                    .body("code", equalTo("UNKNOWN_USER"));
            assertThat(CreditsApiTest.topups(nobody)).as(nobody).isZero();
            assertThat(CreditsApiTest.events(nobody)).as(nobody).isZero();
        }
    }

    @Test
    void aTopUpForAKnownSubjectIsCredited() {
        String dave = subject(KeycloakTokens.user("dave"));
        String before = CreditsApiTest.available(dave);
        given().auth().oauth2(KeycloakTokens.user("op")).contentType("application/json")
                .body("{\"topupId\":\"t-" + UUID.randomUUID() + "\",\"userId\":\"" + dave + "\",\"amount\":\"5\"}")
                .post("/api/v1/credits/topups").then().statusCode(201).body("amount", equalTo("5"));
        assertThat(new java.math.BigDecimal(CreditsApiTest.available(dave)))
                .isGreaterThan(new java.math.BigDecimal(before));
    }

    private static String subject(String jwt) {
        try {
            return new ObjectMapper().readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1])).get("sub").asText();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
