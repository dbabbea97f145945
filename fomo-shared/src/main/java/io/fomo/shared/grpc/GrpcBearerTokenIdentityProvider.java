package io.fomo.shared.grpc;

import io.quarkus.security.AuthenticationFailedException;

import io.quarkus.oidc.AccessTokenCredential;
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
 */
@ApplicationScoped
public class GrpcBearerTokenIdentityProvider implements IdentityProvider<GrpcBearerTokenRequest> {

    @Inject
    TenantIdentityProvider oidc;

    @Override
    public Class<GrpcBearerTokenRequest> getRequestType() {
        return GrpcBearerTokenRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(GrpcBearerTokenRequest request, AuthenticationRequestContext context) {
        return oidc.authenticate(new AccessTokenCredential(request.token()))
                .onFailure(e -> !(e instanceof AuthenticationFailedException))
                .transform(e -> new AuthenticationFailedException(e.getMessage(), e));
    }
}
