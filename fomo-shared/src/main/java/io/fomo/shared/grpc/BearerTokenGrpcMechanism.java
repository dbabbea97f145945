package io.fomo.shared.grpc;

import io.grpc.Metadata;
import io.quarkus.grpc.auth.GrpcSecurityMechanism;
import io.quarkus.security.identity.request.AuthenticationRequest;
import jakarta.inject.Singleton;

/**
 * Authenticates gRPC calls on the separate gRPC server (SPEC §9 ports 908x) by the {@code authorization:
 * Bearer <token>} metadata, verified by Quarkus OIDC against the realm like any REST call. Which callers
 * may call what is then said with {@code @RolesAllowed} on the gRPC service (services hold realm role
 * {@code service}).
 *
 * <p>The token is verified by {@link GrpcBearerTokenIdentityProvider} through OIDC's {@code TenantIdentityProvider}:
 * the plain {@code TokenAuthenticationRequest} would go to the HTTP OIDC provider, which needs a Vert.x
 * {@code RoutingContext} that the separate gRPC server does not have (every valid token then failed with a
 * NullPointerException).
 */
@Singleton
public class BearerTokenGrpcMechanism implements GrpcSecurityMechanism {

    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final String BEARER = "Bearer ";

    @Override
    public boolean handles(Metadata metadata) {
        String value = metadata.get(AUTHORIZATION);
        return value != null && value.regionMatches(true, 0, BEARER, 0, BEARER.length());
    }

    @Override
    public AuthenticationRequest createAuthenticationRequest(Metadata metadata) {
        String token = metadata.get(AUTHORIZATION).substring(BEARER.length()).trim();
        return new GrpcBearerTokenRequest(token);
    }
}
