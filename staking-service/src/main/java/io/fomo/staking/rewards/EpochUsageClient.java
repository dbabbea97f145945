package io.fomo.staking.rewards;

import java.time.Duration;

import io.fomo.grpc.billing.v1.MutinyEpochUsageGrpc;
import io.fomo.grpc.billing.v1.StreamEpochUsageRequest;
import io.fomo.shared.grpc.ServiceCalls;
import io.fomo.shared.grpc.ServiceTokens;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Multi;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Billing's {@code EpochUsage} ({@code epoch-usage} client), with this service's own token (SPEC §8). */
@ApplicationScoped
public class EpochUsageClient {

    private static final Duration USAGE_DEADLINE = Duration.ofMinutes(10);

    /** One user's gross usage (a USDC decimal string, read by the caller) of a model in an epoch. */
    public record UserUsage(String userId, String deploymentId, String gross) {
    }

    @GrpcClient("epoch-usage")
    MutinyEpochUsageGrpc.MutinyEpochUsageStub epochUsage;

    @Inject
    ServiceTokens tokens;

    /** Billing's per-user gross usage of a closed epoch for one deployment, as a stream (never held whole). */
    public Multi<UserUsage> stream(long epoch, String deploymentId) {
        return ServiceCalls.streamOnCallerContext(() -> ServiceCalls.authorized(epochUsage, tokens, USAGE_DEADLINE)
                .streamEpochUsage(StreamEpochUsageRequest.newBuilder().setEpoch(epoch).setDeploymentId(deploymentId).build()))
                .map(u -> new UserUsage(u.getUserId(), u.getDeploymentId(), u.getGross()));
    }
}
