package io.fomo.staking.stakes;

import java.time.Instant;

import org.jboss.logging.Logger;

import io.fomo.staking.StakingConfig;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Completes stake operations whose request died after recording the intent and before recording the result (crash,
 * lost connection): the ledger call is repeated with the same id (a replay if it had applied), then the result is
 * recorded once (fomo-shared's {@code LedgerCall.resume}, {@link StakeService#resume}).
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
        return stakes.resume(Instant.now().minus(config.resumeAfter()), 100).replaceWithVoid()
                .onFailure().invoke(e -> LOG.warnf("resuming stake operations failed (retried later): %s", e.getMessage()))
                .onFailure().recoverWithNull();
    }
}
