package io.fomo.staking.stakes;

import org.jboss.logging.Logger;

import io.fomo.shared.ops.JobRun;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Every {@code fomo.staking.unbonding-interval}: returns matured unbonding MT ({@link UnbondingService}). */
@ApplicationScoped
public class UnbondingJob {

    private static final Logger LOG = Logger.getLogger(UnbondingJob.class);

    @Inject
    UnbondingService unbonding;

    @Scheduled(every = "${fomo.staking.unbonding-interval:5s}", delayed = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return JobRun.guarded(LOG, "unbonding release", () -> unbonding.releaseDue(200));
    }
}
