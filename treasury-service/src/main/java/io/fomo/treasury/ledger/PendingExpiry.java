package io.fomo.treasury.ledger;

import org.jboss.logging.Logger;

import io.fomo.shared.ops.JobRun;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Expires due pending transfers (state EXPIRED, the amount released to the debit account) every
 * {@code fomo.treasury.pending-expiry-interval}. Each run claims at most {@code fomo.treasury.pending-expiry-batch}
 * of them with {@code FOR UPDATE SKIP LOCKED}, so replicas share the work and never wait for each other, and a
 * pending transfer being posted or voided right now is simply left for the next run (it will not be due-and-open
 * then). Posting or voiding a due pending transfer that is not yet expired fails with PENDING_EXPIRED.
 */
@ApplicationScoped
public class PendingExpiry {

    private static final Logger LOG = Logger.getLogger(PendingExpiry.class);

    @Inject
    LedgerService ledger;

    @Scheduled(every = "${fomo.treasury.pending-expiry-interval:1s}", delayed = "${fomo.treasury.pending-expiry-interval:1s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> expireDue() {
        return JobRun.guarded(LOG, "expiring pending transfers", () -> ledger.expireDue().invoke(applied -> {
            if (!applied.results().isEmpty()) {
                LOG.debugf("expired %d pending transfers", applied.results().size());
            }
        }));
    }
}
