package io.fomo.shared.grpc;

import java.util.concurrent.Executor;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.Status;
import io.quarkus.oidc.client.OidcClient;
import io.quarkus.oidc.client.Tokens;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

/**
 * This service's own client-credentials token (SPEC §8: services call each other with service tokens),
 * from the default Quarkus OIDC client, cached and refreshed ahead of expiry, never fetched blocking.
 * {@link #callCredentials()} attaches it to outgoing gRPC calls:
 * {@code stub.withCallCredentials(serviceTokens.callCredentials())}.
 */
@ApplicationScoped
public class ServiceTokens {

    /** Resolved on first use: an application with the OIDC client disabled (no outgoing calls) still boots. */
    @Inject
    Instance<OidcClient> oidcClient;

    private volatile Tokens tokens;

    private final CallCredentials callCredentials = new CallCredentials() {
        @Override
        public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
            accessToken().subscribe().with(token -> {
                Metadata headers = new Metadata();
                headers.put(BearerTokenGrpcMechanism.AUTHORIZATION, "Bearer " + token);
                applier.apply(headers);
            }, failure -> applier.fail(Status.UNAUTHENTICATED
                    .withDescription("cannot obtain a service token: " + failure.getMessage()).withCause(failure)));
        }
    };

    /** A valid access token for this service, fetched or refreshed when needed. */
    public Uni<String> accessToken() {
        Tokens current = tokens;
        if (current != null && !current.isAccessTokenExpired() && !current.isAccessTokenWithinRefreshInterval()) {
            return Uni.createFrom().item(current.getAccessToken());
        }
        return oidcClient.get().getTokens().invoke(t -> tokens = t).map(Tokens::getAccessToken);
    }

    public CallCredentials callCredentials() {
        return callCredentials;
    }
}
