package io.fomo.shared.grpc;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** A bearer token received on the gRPC server, for {@link GrpcBearerTokenIdentityProvider}. */
public final class GrpcBearerTokenRequest extends BaseAuthenticationRequest {

    private final String token;

    public GrpcBearerTokenRequest(String token) {
        this.token = token;
    }

    public String token() {
        return token;
    }
}
