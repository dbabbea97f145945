package io.fomo.rmo.contribution;

import java.time.Instant;

import org.jboss.logging.Logger;

import io.fomo.rmo.config.RmoConfig;
import io.fomo.shared.ops.JobRun;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The resumer of contribution holds ({@code fomo.rmo.contribution.resume-interval}): a contribution still HOLDING after
 * {@code fomo.rmo.contribution.resume-after} (its request died between the intent and the result, or the ledger was
 * down) is asked of the ledger again with its pending id (a replay if the ledger had it) and recorded.
 */
@ApplicationScoped
public class ContributionResumeJob {

    private static final Logger LOG = Logger.getLogger(ContributionResumeJob.class);

    @Inject
    ContributionService contributions;

    @Inject
    RmoConfig config;

    @Scheduled(every = "${fomo.rmo.contribution.resume-interval:10s}", delayed = "2s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return JobRun.guarded(LOG, "resuming contribution holds",
                () -> contributions.resume(Instant.now().minus(config.contribution().resumeAfter()), 100));
    }
}
