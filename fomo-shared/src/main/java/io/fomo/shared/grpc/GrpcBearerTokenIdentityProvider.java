package io.fomo.shared.grpc;

import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.oidc.TenantIdentityProvider;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Verifies gRPC bearer tokens with the default OIDC tenant outside of an HTTP request
 * ({@link TenantIdentityProvider}): same issuer, signature, expiry and roles as REST.
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
