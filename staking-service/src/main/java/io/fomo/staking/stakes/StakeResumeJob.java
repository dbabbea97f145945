package io.fomo.staking.stakes;

import java.time.Instant;

import org.jboss.logging.Logger;

import io.fomo.staking.StakingConfig;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Completes stake operations whose request died after recording the intent and before recording the result (crash,
 * lost connection): the ledger call is repeated with the same id (a replay if it had applied), then the result is
 * recorded once ({@link StakeService#complete}).
 */
@ApplicationScoped
public class StakeResumeJob {

    private static final Logger LOG = Logger.getLogger(StakeResumeJob.class);

    @Inject
    StakeService stakes;

    @Inject
    StakingConfig config;

    @Scheduled(every = "${fomo.staking.resume-interval:10s}", delayed = "2s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        Instant before = Instant.now().minus(config.resumeAfter());
        return stakes.stalePending(before, 100).onItem().transformToMulti(ids -> Multi.createFrom().iterable(ids))
                .onItem().transformToUniAndConcatenate(id -> stakes.complete(id)
                        .onFailure().invoke(e -> LOG.warnf("resuming stake operation %s failed (retried later): %s", id, e.getMessage()))
                        .onFailure().recoverWithNull())
                .collect().last().replaceWithVoid()
                .onFailure().recoverWithNull();
    }
}
