package io.fomo.shared.grpc;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.oidc.TenantIdentityProvider;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Verifies a gRPC bearer token against the realm exactly as Quarkus OIDC verifies a REST one (signature, issuer,
 * expiry, realm roles), through the default tenant's {@link TenantIdentityProvider}, which works without an HTTP
 * request. An invalid token fails authentication: the caller gets UNAUTHENTICATED.
 *
 * <p>Services call each other many times with the same client-credentials token, so a verified token's identity
 * is kept (by the exact token string) until the token expires: the signature is checked once per token, not once
 * per call. That is what verifying it again would conclude; nothing else (revocation) is checked for JWTs anyway.
 * At most {@value #MAX_CACHED} tokens are kept.
 */
@ApplicationScoped
public class GrpcBearerTokenIdentityProvider implements IdentityProvider<GrpcBearerTokenRequest> {

    static final int MAX_CACHED = 10_000;

    private record Verified(SecurityIdentity identity, Instant expiresAt) {
    }

    private final Map<String, Verified> verified = new ConcurrentHashMap<>();

    @Inject
    TenantIdentityProvider oidc;

    @Override
    public Class<GrpcBearerTokenRequest> getRequestType() {
        return GrpcBearerTokenRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(GrpcBearerTokenRequest request, AuthenticationRequestContext context) {
        String token = request.token();
        Verified known = verified.get(token);
        Instant now = Instant.now();
        if (known != null) {
            if (now.isBefore(known.expiresAt())) {
                return Uni.createFrom().item(known.identity());
            }
            verified.remove(token);
        }
        return oidc.authenticate(new AccessTokenCredential(token))
                .onFailure(e -> !(e instanceof AuthenticationFailedException))
                .transform(e -> new AuthenticationFailedException(e.getMessage(), e))
                .invoke(identity -> remember(token, identity, now));
    }

    private void remember(String token, SecurityIdentity identity, Instant now) {
        if (!(identity.getPrincipal() instanceof JsonWebToken jwt) || jwt.getExpirationTime() <= 0) {
            return;
        }
        if (verified.size() >= MAX_CACHED) {
            verified.values().removeIf(v -> !now.isBefore(v.expiresAt()));
            if (verified.size() >= MAX_CACHED) {
                verified.clear();
            }
        }
        verified.put(token, new Verified(identity, Instant.ofEpochSecond(jwt.getExpirationTime())));
    }
}
