package io.fomo.billing.settlement;

import java.time.Instant;

import org.jboss.logging.Logger;

import io.fomo.shared.ops.JobRun;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Settles windows and closes epochs every {@code fomo.billing.settle-interval} ({@link SettlementService}), then winds
 * down the DELISTING deployments that are ready ({@link WindDownService}, issue #22).
 */
@ApplicationScoped
public class SettlementJob {

    private static final Logger LOG = Logger.getLogger(SettlementJob.class);

    @Inject
    SettlementService settlement;

    @Inject
    WindDownService windDown;

    @Scheduled(every = "${fomo.billing.settle-interval}", delayed = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return JobRun.guarded(LOG, "settlement run", () -> settlement.run(Instant.now())
                .flatMap(x -> windDown.run(Instant.now())).replaceWithVoid());
    }
}
