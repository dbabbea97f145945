package io.fomo.staking;

import java.time.Instant;

import org.jboss.logging.Logger;

import io.fomo.shared.ops.JobRun;
import io.fomo.staking.rewards.ClaimService;
import io.fomo.staking.stakes.StakeService;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The resumer of staking's two ledger recipes (fomo-shared's {@code LedgerCall.resume}), every
 * {@code fomo.staking.resume-interval}, for work older than {@code fomo.staking.resume-after} whose request died
 * (crash, lost connection): stake operations with their intent recorded but not their result
 * ({@link StakeService#resume}), and claims recorded but not marked paid ({@link ClaimService#resume}). Each repeats
 * its ledger call with the same id (a replay if it had applied) and records the result once. Each is guarded on its
 * own: one failing does not hold up the other.
 */
@ApplicationScoped
public class ResumeJob {

    private static final Logger LOG = Logger.getLogger(ResumeJob.class);

    @Inject
    StakeService stakes;

    @Inject
    ClaimService claims;

    @Inject
    StakingConfig config;

    @Scheduled(every = "${fomo.staking.resume-interval:10s}", delayed = "2s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        Instant before = Instant.now().minus(config.resumeAfter());
        return JobRun.guarded(LOG, "resuming stake operations", () -> stakes.resume(before, 100))
                .flatMap(x -> JobRun.guarded(LOG, "resuming claims", () -> claims.resume(before, 100)));
    }
}
