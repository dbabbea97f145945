package io.fomo.staking.rewards;

import org.jboss.logging.Logger;

import io.fomo.shared.ops.JobRun;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Every {@code fomo.staking.rewards-interval}: moves the open (epoch, model) reward jobs on ({@link RewardJobService}). */
@ApplicationScoped
public class RewardsJob {

    private static final Logger LOG = Logger.getLogger(RewardsJob.class);

    @Inject
    RewardJobService jobs;

    @Scheduled(every = "${fomo.staking.rewards-interval:5s}", delayed = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return JobRun.guarded(LOG, "reward jobs", () -> jobs.runAll(100));
    }
}
