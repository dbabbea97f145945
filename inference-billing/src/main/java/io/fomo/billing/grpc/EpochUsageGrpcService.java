package io.fomo.billing.grpc;

import io.fomo.shared.grpc.CallerCheck;
import io.fomo.shared.grpc.GrpcErrors;

import java.util.Set;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.fomo.billing.credits.BillingProblems;
import io.fomo.billing.holds.HoldService;
import io.fomo.billing.settlement.BillingClock;
import io.fomo.grpc.billing.v1.EpochUsage;
import io.fomo.grpc.billing.v1.StreamEpochUsageRequest;
import io.fomo.grpc.billing.v1.UserEpochUsage;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Multi;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;

/**
 * {@code fomo.billing.v1.EpochUsage} for staking-service (client id in {@code fomo.billing.epoch-usage.allowed-clients}):
 * per-user gross usage of a CLOSED epoch, from the captures assigned to it, ordered by (deployment, user). This stream
 * is how staking learns rewards weights (chosen over per-user events: one query, re-runnable, nothing to dedupe).
 */
@GrpcService
// Role "service" and the client id are checked by CallerCheck (anonymous -> UNAUTHENTICATED, others -> PERMISSION_DENIED).
public class EpochUsageGrpcService implements EpochUsage {

    @Inject
    Pool pool;

    @Inject
    CurrentIdentityAssociation identity;

    @Inject
    BillingClock clock;

    @ConfigProperty(name = "fomo.billing.epoch-usage.allowed-clients", defaultValue = "staking-service")
    Set<String> allowedClients;

    @Override
    public Multi<UserEpochUsage> streamEpochUsage(StreamEpochUsageRequest request) {
        return identity.getDeferredIdentity().onItem().transformToMulti(id -> {
            CallerCheck.requireClient(id, allowedClients);
            if (request.getEpoch() < 0) {
                throw BillingProblems.invalid("INVALID_EPOCH", "epoch must be >= 0");
            }
            return pool.preparedQuery("SELECT 1 FROM epoch WHERE epoch_idx = $1").execute(Tuple.of(request.getEpoch()))
                    .onItem().transformToMulti(closed -> {
                        if (closed.size() == 0) {
                            throw BillingProblems.precondition("EPOCH_NOT_CLOSED", "epoch " + request.getEpoch() + " is not closed");
                        }
                        return pool.preparedQuery("""
                                SELECT user_id, deployment_id, sum(gross), count(*) FROM capture
                                WHERE window_idx >= $1 AND window_idx < $2 AND ($3 = '' OR deployment_id = $3)
                                  -- a deployment the epoch closed without (stuck, see Settler) is not in it
                                  AND deployment_id NOT IN (SELECT deployment_id FROM epoch_excluded WHERE epoch_idx = $4)
                                GROUP BY deployment_id, user_id HAVING sum(gross) > 0 ORDER BY deployment_id, user_id""")
                                // the epoch's windows (capture_window serves the range; V7 dropped capture_epoch)
                                .execute(Tuple.of(clock.firstWindowOfEpoch(request.getEpoch()),
                                        clock.firstWindowOfEpoch(request.getEpoch() + 1), request.getDeploymentId(), request.getEpoch()))
                                .onItem().transformToMulti(rows -> Multi.createFrom().iterable(rows))
                                .map((Row r) -> UserEpochUsage.newBuilder().setEpoch(request.getEpoch())
                                        .setUserId(r.getString(0)).setDeploymentId(r.getString(1))
                                        .setGross(HoldService.usdc(r.getBigDecimal(2).toBigIntegerExact()))
                                        .setRequests(r.getLong(3)).build());
                    });
        }).onFailure().transform(GrpcErrors::toStatusException);
    }
}
