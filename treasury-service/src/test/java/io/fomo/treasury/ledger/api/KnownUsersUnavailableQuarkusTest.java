package io.fomo.treasury.ledger.api;

import static io.fomo.treasury.ledger.LedgerTestSupport.journalRows;
import static io.fomo.treasury.ledger.LedgerTestSupport.subject;
import static io.fomo.treasury.ledger.LedgerTestSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fomo.testkit.KeycloakTokens;
import io.fomo.testkit.TestDatabase;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;

/**
 * When Keycloak's admin API cannot answer, a deposit is an honest 503 IDENTITY_UNAVAILABLE (not the caller's fault,
 * nothing written, retry with the same depositId), never a credit to an unchecked subject.
 */
@QuarkusTest
@TestProfile(KnownUsersUnavailableQuarkusTest.KeycloakAdminUnreachable.class)
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class KnownUsersUnavailableQuarkusTest {

    /** The admin API on a port nobody listens on (tokens still come from the real Keycloak). */
    public static class KeycloakAdminUnreachable implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("fomo.identity.keycloak-url", "http://127.0.0.1:9", "fomo.identity.timeout", "PT2S");
        }
    }

    @Inject
    Pool pool;

    @Test
    void aDepositWhileKeycloakCannotAnswerIs503AndWritesNothing() {
        String carol = subject(KeycloakTokens.user("carol"));
        long rows = journalRows(pool);
        io.restassured.RestAssured.given().auth().oauth2(KeycloakTokens.user("op")).contentType("application/json")
                .body(LedgerRestQuarkusTest.deposit(unique("d"), carol, "USDC", "5")).post("/api/v1/deposits")
                .then().statusCode(503).contentType("application/problem+json")
                .body("code", equalTo("IDENTITY_UNAVAILABLE"));
        assertThat(journalRows(pool)).isEqualTo(rows);
    }
}
