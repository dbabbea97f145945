package io.fomo.billing.holds;

import static io.fomo.billing.BillingFixtures.authorizeRequest;
import static io.fomo.billing.BillingFixtures.billing;
import static io.fomo.billing.BillingFixtures.deployment;
import static io.fomo.billing.BillingFixtures.newUser;
import static io.fomo.billing.BillingFixtures.platform;
import static io.fomo.billing.BillingFixtures.statusOf;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

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
    void aTokenIssuedToAnotherClientOfTheRealmIsUnauthenticated() {
        String dep = deployment(catalog, "alice");
        AuthorizeRequest a = authorizeRequest(newUser(), dep, 1, 1);
        String foreign = KeycloakTokens.foreignClientUser("op");
        assertThat(statusOf(() -> billing(foreign).authorize(a))).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(statusOf(() -> billing(KeycloakTokens.user("op")).authorize(a)))
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(statusOf(() -> platform().authorize(a))).isNotEqualTo(Status.Code.UNAUTHENTICATED);
    }
}
