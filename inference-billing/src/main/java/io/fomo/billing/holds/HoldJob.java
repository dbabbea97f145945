package io.fomo.billing.holds;

import org.jboss.logging.Logger;

import io.fomo.shared.ops.JobRun;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Returns expired holds to their wallets ({@code fomo.billing.hold-ttl}, checked every {@code fomo.billing.expiry-interval}). */
@ApplicationScoped
public class HoldJob {

    private static final Logger LOG = Logger.getLogger(HoldJob.class);

    @Inject
    HoldService holds;

    @Scheduled(every = "${fomo.billing.expiry-interval}", delayed = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return JobRun.guarded(LOG, "hold expiry", () -> holds.expireDue(1000).invoke(n -> {
            if (n > 0) {
                LOG.debugf("%d holds expired", n);
            }
        }));
    }
}
