package io.fomo.shared.grpc;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** A bearer token read from gRPC metadata, verified by {@link GrpcBearerTokenIdentityProvider}. */
public class GrpcBearerTokenRequest extends BaseAuthenticationRequest {

    private final String token;

    public GrpcBearerTokenRequest(String token) {
        this.token = token;
    }

    public String token() {
        return token;
    }
}
