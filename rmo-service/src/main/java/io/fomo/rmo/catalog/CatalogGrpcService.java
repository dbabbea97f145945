package io.fomo.rmo.catalog;

import io.fomo.grpc.rmo.v1.Catalog;
import io.fomo.grpc.rmo.v1.Deployment;
import io.fomo.grpc.rmo.v1.GetDeploymentRequest;
import io.fomo.grpc.rmo.v1.ListLiveDeploymentsRequest;
import io.fomo.grpc.rmo.v1.ListLiveDeploymentsResponse;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;

/**
 * The {@code fomo.rmo.v1.Catalog} gRPC service (contract: fomo-shared {@code fomo/rmo/v1/catalog.proto}).
 *
 * <p>Skeleton: registered on the gRPC server; every method answers {@code UNIMPLEMENTED} until the
 * catalog is built. Implementing the generated {@link Catalog} interface makes a contract change a
 * compile error here.
 */
@GrpcService
public class CatalogGrpcService implements Catalog {

    private static <T> Uni<T> unimplemented(String method) {
        return Uni.createFrom().failure(Status.UNIMPLEMENTED
                .withDescription("fomo.rmo.v1.Catalog/" + method + " is not implemented yet")
                .asRuntimeException());
    }

    @Override
    public Uni<ListLiveDeploymentsResponse> listLiveDeployments(ListLiveDeploymentsRequest request) {
        return unimplemented("ListLiveDeployments");
    }

    @Override
    public Uni<Deployment> getDeployment(GetDeploymentRequest request) {
        return unimplemented("GetDeployment");
    }
}
