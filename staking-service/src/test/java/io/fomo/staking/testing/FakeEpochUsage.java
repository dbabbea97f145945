package io.fomo.staking.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.fomo.shared.errors.ErrorCode;
import io.fomo.grpc.billing.v1.EpochUsage;
import io.fomo.grpc.billing.v1.StreamEpochUsageRequest;
import io.fomo.grpc.billing.v1.UserEpochUsage;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import jakarta.annotation.security.RolesAllowed;

/**
 * A stand-in for billing's {@code EpochUsage} on staking's own test gRPC server (port 19184, where the
 * {@code epoch-usage} client points in the test profile): tests declare an epoch's per-user gross usage, the reward
 * engine streams it exactly as from billing (ordered by deployment, user; EPOCH_NOT_CLOSED for an unknown epoch).
 */
@GrpcService
@RolesAllowed("service")
public class FakeEpochUsage implements EpochUsage {

    private static final Map<Long, List<UserEpochUsage>> EPOCHS = new ConcurrentHashMap<>();
    private static final AtomicInteger CALLS = new AtomicInteger();

    /** Declares the epoch closed with these usages (user, deployment, gross). */
    public static void close(long epoch, List<UserEpochUsage> usages) {
        List<UserEpochUsage> sorted = new ArrayList<>(usages);
        sorted.sort((a, b) -> a.getDeploymentId().equals(b.getDeploymentId()) ? a.getUserId().compareTo(b.getUserId())
                : a.getDeploymentId().compareTo(b.getDeploymentId()));
        EPOCHS.put(epoch, sorted);
    }

    public static UserEpochUsage usage(long epoch, String user, String deployment, String gross) {
        return UserEpochUsage.newBuilder().setEpoch(epoch).setUserId(user).setDeploymentId(deployment).setGross(gross)
                .setRequests(1).build();
    }

    public static int calls() {
        return CALLS.get();
    }

    @Override
    public Multi<UserEpochUsage> streamEpochUsage(StreamEpochUsageRequest request) {
        CALLS.incrementAndGet();
        List<UserEpochUsage> usages = EPOCHS.get(request.getEpoch());
        if (usages == null) {
            // Epochs of other tests' EmissionAllocated are closed with no usage.
            usages = List.of();
        }
        List<UserEpochUsage> selected = new ArrayList<>();
        for (UserEpochUsage u : usages) {
            if (request.getDeploymentId().isEmpty() || request.getDeploymentId().equals(u.getDeploymentId())) {
                selected.add(u);
            }
        }
        if (request.getEpoch() < 0) {
            return Multi.createFrom().failure(ErrorCode.INVALID_EPOCH.status("negative"));
        }
        return Multi.createFrom().iterable(selected);
    }
}
