package io.fomo.shared.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * Issue #17: a token is accepted only when issued to one of the suite's clients ({@code azp} in
 * {@code fomo.oidc.allowed-clients}). The rule here; with
 * real Keycloak tokens (emission-service {@code TokenClientsAuthTest} on REST, inference-billing
 * {@code TokenClientsGrpcTest} on gRPC).
 */
class TokenClientsTest {

    @Test
    void theRuleAcceptsOnlyTheAllowedAuthorizedParties() {
        Set<String> allowed = Set.of("fomo-cli", "api-platform");
        assertThat(TokenClients.accepts(allowed, "fomo-cli")).isTrue();
        assertThat(TokenClients.accepts(allowed, "api-platform")).isTrue();
        assertThat(TokenClients.accepts(allowed, "admin-cli")).isFalse();
        assertThat(TokenClients.accepts(allowed, "")).isFalse();
        assertThat(TokenClients.accepts(allowed, null)).isFalse();
    }
}
