package io.fomo.billing.usage;

import io.fomo.shared.errors.ErrorCode;
import io.fomo.billing.BillingConfig;
import io.fomo.grpc.billing.v1.EpochUsage;
import io.fomo.grpc.billing.v1.StreamEpochUsageRequest;
import io.fomo.grpc.billing.v1.UserEpochUsage;
import io.fomo.shared.grpc.CallerCheck;
import io.fomo.shared.grpc.GrpcErrors;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;

/**
 * {@code fomo.billing.v1.EpochUsage} for staking-service (client id in {@code fomo.billing.epoch-usage.allowed-clients}):
 * per-user gross usage of a CLOSED epoch, from the captures assigned to it, ordered by (deployment, user). This stream
 * is how staking learns rewards weights (chosen over per-user events: one query, re-runnable, nothing to dedupe).
 * Wire only; the work is {@link UsageService#epochUsage}'s.
 */
@GrpcService
// Role "service" and the client id are checked by CallerCheck (anonymous -> UNAUTHENTICATED, others -> PERMISSION_DENIED).
public class EpochUsageGrpcService implements EpochUsage {

    @Inject
    UsageService usage;

    @Inject
    CurrentIdentityAssociation identity;

    @Inject
    BillingConfig config;

    @Override
    public Multi<UserEpochUsage> streamEpochUsage(StreamEpochUsageRequest request) {
        return identity.getDeferredIdentity().onItem().transformToMulti(id -> {
            CallerCheck.requireClient(id, config.epochUsage().allowedClients());
            if (request.getEpoch() < 0) {
                throw ErrorCode.INVALID_EPOCH.problem("epoch must be >= 0");
            }
            return usage.epochUsage(request.getEpoch(), request.getDeploymentId())
                    .onItem().transformToMulti(rows -> Multi.createFrom().iterable(rows))
                    .map(u -> UserEpochUsage.newBuilder().setEpoch(u.epoch()).setUserId(u.userId())
                            .setDeploymentId(u.deploymentId()).setGross(u.gross()).setRequests(u.requests()).build());
        }).onFailure().transform(GrpcErrors::toStatusException);
    }
}
