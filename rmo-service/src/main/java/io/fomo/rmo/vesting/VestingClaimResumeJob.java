package io.fomo.rmo.vesting;

import java.time.Instant;

import org.jboss.logging.Logger;

import io.fomo.rmo.config.RmoConfig;
import io.fomo.shared.ops.JobRun;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The resumer of vesting claims ({@code fomo.rmo.vesting.resume-interval}): a claim still CLAIMING after
 * {@code fomo.rmo.vesting.resume-after} (its request died between the intent and the result, or the ledger was down)
 * is asked of the ledger again with its transfer id (a replay if the ledger had it) and recorded.
 */
@ApplicationScoped
public class VestingClaimResumeJob {

    private static final Logger LOG = Logger.getLogger(VestingClaimResumeJob.class);

    @Inject
    VestingService vesting;

    @Inject
    RmoConfig config;

    @Scheduled(every = "${fomo.rmo.vesting.resume-interval:10s}", delayed = "2s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return JobRun.guarded(LOG, "resuming vesting claims",
                () -> vesting.resume(Instant.now().minus(config.vesting().resumeAfter()), 100));
    }
}
