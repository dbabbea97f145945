package io.fomo.staking.rewards;

import java.time.Instant;

import org.jboss.logging.Logger;

import io.fomo.staking.StakingConfig;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Completes claims whose request died after recording the claim and before marking it paid: the ledger batch is
 * repeated with the same id (a replay if it had applied), then the claim is marked PAID (fomo-shared's {@code LedgerCall.resume}, {@link ClaimService#resume}).
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
        return claims.resume(Instant.now().minus(config.resumeAfter()), 100).replaceWithVoid()
                .onFailure().invoke(e -> LOG.warnf("resuming claims failed (retried later): %s", e.getMessage()))
                .onFailure().recoverWithNull();
    }
}
