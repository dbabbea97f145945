package io.fomo.staking.rewards;

import java.time.Instant;

import org.jboss.logging.Logger;

import io.fomo.staking.StakingConfig;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Completes claims whose request died after recording the claim and before marking it paid: the ledger batch is
 * repeated with the same id (a replay if it had applied), then the claim is marked PAID ({@link ClaimService#complete}).
 */
@ApplicationScoped
public class ClaimResumeJob {

    private static final Logger LOG = Logger.getLogger(ClaimResumeJob.class);

    @Inject
    ClaimService claims;

    @Inject
    StakingConfig config;

    @Scheduled(every = "${fomo.staking.resume-interval:10s}", delayed = "2s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        Instant before = Instant.now().minus(config.resumeAfter());
        return claims.stalePending(before, 100).onItem().transformToMulti(ids -> Multi.createFrom().iterable(ids))
                .onItem().transformToUniAndConcatenate(id -> claims.complete(id)
                        .onFailure().invoke(e -> LOG.warnf("resuming claim %s failed (retried later): %s", id, e.getMessage()))
                        .onFailure().recoverWithNull())
                .collect().last().replaceWithVoid()
                .onFailure().recoverWithNull();
    }
}
