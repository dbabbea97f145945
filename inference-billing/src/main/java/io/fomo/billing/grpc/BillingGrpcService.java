package io.fomo.billing.grpc;

import io.fomo.grpc.billing.v1.AuthorizeRequest;
import io.fomo.grpc.billing.v1.AuthorizeResponse;
import io.fomo.grpc.billing.v1.Billing;
import io.fomo.grpc.billing.v1.CaptureRequest;
import io.fomo.grpc.billing.v1.CaptureResponse;
import io.fomo.grpc.billing.v1.ReleaseRequest;
import io.fomo.grpc.billing.v1.ReleaseResponse;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;

/**
 * The {@code fomo.billing.v1.Billing} gRPC service for the API platform (contract: fomo-shared
 * {@code fomo/billing/v1/billing.proto}).
 *
 * <p>Skeleton: registered on the gRPC server; every method answers {@code UNIMPLEMENTED} until
 * billing is built. Implementing the generated {@link Billing} interface makes a contract change a
 * compile error here.
 */
@GrpcService
public class BillingGrpcService implements Billing {

    private static <T> Uni<T> unimplemented(String method) {
        return Uni.createFrom().failure(Status.UNIMPLEMENTED
                .withDescription("fomo.billing.v1.Billing/" + method + " is not implemented yet")
                .asRuntimeException());
    }

    @Override
    public Uni<AuthorizeResponse> authorize(AuthorizeRequest request) {
        return unimplemented("Authorize");
    }

    @Override
    public Uni<CaptureResponse> capture(CaptureRequest request) {
        return unimplemented("Capture");
    }

    @Override
    public Uni<ReleaseResponse> release(ReleaseRequest request) {
        return unimplemented("Release");
    }
}
