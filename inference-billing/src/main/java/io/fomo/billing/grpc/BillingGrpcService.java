package io.fomo.billing.grpc;

import io.fomo.shared.grpc.CallerCheck;
import io.fomo.shared.grpc.GrpcErrors;

import java.util.Set;
import java.util.function.Supplier;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.fomo.billing.holds.HoldService;
import io.fomo.grpc.billing.v1.AuthorizeRequest;
import io.fomo.grpc.billing.v1.AuthorizeResponse;
import io.fomo.grpc.billing.v1.Billing;
import io.fomo.grpc.billing.v1.CaptureRequest;
import io.fomo.grpc.billing.v1.CaptureResponse;
import io.fomo.grpc.billing.v1.ReleaseRequest;
import io.fomo.grpc.billing.v1.ReleaseResponse;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;

/**
 * {@code fomo.billing.v1.Billing} for the API platform (role {@code service} and client id in
 * {@code fomo.billing.grpc.allowed-clients}, default {@code api-platform}). The work is {@link HoldService}'s.
 */
@GrpcService
// Role "service" and the client id are checked by CallerCheck (anonymous -> UNAUTHENTICATED, others -> PERMISSION_DENIED).
public class BillingGrpcService implements Billing {

    @Inject
    HoldService holds;

    @Inject
    CurrentIdentityAssociation identity;

    @ConfigProperty(name = "fomo.billing.grpc.allowed-clients", defaultValue = "api-platform")
    Set<String> allowedClients;

    @Override
    public Uni<AuthorizeResponse> authorize(AuthorizeRequest request) {
        return call(() -> holds.authorize(request));
    }

    @Override
    public Uni<CaptureResponse> capture(CaptureRequest request) {
        return call(() -> holds.capture(request));
    }

    @Override
    public Uni<ReleaseResponse> release(ReleaseRequest request) {
        return call(() -> holds.release(request));
    }

    private <T> Uni<T> call(Supplier<Uni<T>> work) {
        return identity.getDeferredIdentity().flatMap(id -> {
            CallerCheck.requireClient(id, allowedClients);
            return work.get();
        }).onFailure().transform(GrpcErrors::toStatusException);
    }
}
