package io.fomo.billing.grpc;

import io.fomo.grpc.billing.v1.EpochUsage;
import io.fomo.grpc.billing.v1.StreamEpochUsageRequest;
import io.fomo.grpc.billing.v1.UserEpochUsage;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;

/**
 * The {@code fomo.billing.v1.EpochUsage} gRPC service for staking-service (contract: fomo-shared
 * {@code fomo/billing/v1/billing.proto}).
 *
 * <p>Skeleton: registered on the gRPC server; the stream fails with {@code UNIMPLEMENTED} until
 * epochs are built.
 */
@GrpcService
public class EpochUsageGrpcService implements EpochUsage {

    @Override
    public Multi<UserEpochUsage> streamEpochUsage(StreamEpochUsageRequest request) {
        return Multi.createFrom().failure(Status.UNIMPLEMENTED
                .withDescription("fomo.billing.v1.EpochUsage/StreamEpochUsage is not implemented yet")
                .asRuntimeException());
    }
}
