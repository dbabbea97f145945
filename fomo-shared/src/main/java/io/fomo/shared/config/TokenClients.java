package io.fomo.shared.config;

import java.util.Set;
import java.util.stream.Collectors;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Issue #17 "tokens are not checked for their audience": a service accepts a bearer token (REST and gRPC) only when
 * it was issued to one of the suite's clients, i.e. its {@code azp} (authorized party) is in
 * {@code fomo.oidc.allowed-clients} (default: {@code fomo-cli}, {@code api-platform} and the five services). A token
 * of the same realm minted for any other client (Keycloak's own {@code admin-cli} or {@code account-console}, another
 * application sharing the realm) is refused as unauthenticated (401 / gRPC UNAUTHENTICATED), whatever its roles.
 * Which of the suite's clients may call which operation stays with each endpoint (roles, the gRPC allow-lists).
 */
@ApplicationScoped
public class TokenClients implements SecurityIdentityAugmentor {

    private static final Logger LOG = Logger.getLogger(TokenClients.class);

    private final Set<String> allowed;

    public TokenClients(@ConfigProperty(name = "fomo.oidc.allowed-clients") Set<String> allowed) {
        this.allowed = allowed.stream().map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
    }

    /** The rule: a token is accepted when its authorized party is one of the allowed clients. */
    public static boolean accepts(Set<String> allowed, String azp) {
        return azp != null && allowed.contains(azp);
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken jwt)) {
            return Uni.createFrom().item(identity);
        }
        Object azp = jwt.getClaim("azp");
        if (accepts(allowed, azp == null ? null : azp.toString())) {
            return Uni.createFrom().item(identity);
        }
        LOG.debugf("refused a token issued to client %s (fomo.oidc.allowed-clients)", azp);
        return Uni.createFrom().failure(new AuthenticationFailedException("token not issued to a client of the suite"));
    }
}
