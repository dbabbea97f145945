package io.fomo.staking.stakes;

import org.jboss.logging.Logger;

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
        return unbonding.releaseDue(200).onFailure().invoke(e -> LOG.warnf("unbonding release failed (retried next tick): %s", e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }
}
