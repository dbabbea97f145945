package io.fomo.staking.stakes;

import java.time.Instant;

import io.fomo.staking.StakingConfig;
import io.fomo.staking.rewards.ClaimService;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Completes stake operations and claims whose request died after recording the intent and before recording the
 * result (crash, lost connection): the ledger call is repeated with the same id (a replay if it had applied), then the
 * result is recorded once.
 */
@ApplicationScoped
public class Resumer {

    @Inject
    StakeService stakes;

    @Inject
    ClaimService claims;

    @Inject
    StakingConfig config;

    @Scheduled(every = "${fomo.staking.resume-interval:10s}", delayed = "2s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        Instant before = Instant.now().minus(config.resumeAfter());
        Uni<Void> ops = stakes.stalePending(before, 100).onItem().transformToMulti(ids -> Multi.createFrom().iterable(ids))
                .onItem().transformToUniAndConcatenate(id -> stakes.complete(id)
                        .onFailure().invoke(e -> StakeService.logResumeFailure("stake operation", id, e))
                        .onFailure().recoverWithNull())
                .collect().last().replaceWithVoid();
        Uni<Void> pendingClaims = claims.stalePending(before, 100).onItem().transformToMulti(ids -> Multi.createFrom().iterable(ids))
                .onItem().transformToUniAndConcatenate(id -> claims.complete(id)
                        .onFailure().invoke(e -> StakeService.logResumeFailure("claim", id, e))
                        .onFailure().recoverWithNull())
                .collect().last().replaceWithVoid();
        return ops.onFailure().recoverWithNull().flatMap(v -> pendingClaims).onFailure().recoverWithNull();
    }
}
