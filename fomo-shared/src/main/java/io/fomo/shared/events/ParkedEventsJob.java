package io.fomo.shared.events;

import org.jboss.logging.Logger;

import io.fomo.shared.ops.JobRun;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * On every replica of every service, every {@code fomo.inbox.park.poll-interval}: applies the due parked events again
 * ({@link Inbox#retryParked}; issue #19). Replica-safe (each run claims its events with {@code FOR UPDATE SKIP LOCKED}
 * and a lease), each event in a transaction of its own: one that fails is rescheduled (or, if it can never apply,
 * becomes a dead letter) and the others proceed; a failure of the bookkeeping itself shows in {@code GET /api/v1/ops/stuck}.
 */
@ApplicationScoped
public class ParkedEventsJob {

    private static final Logger LOG = Logger.getLogger(ParkedEventsJob.class);

    @Inject
    Inbox inbox;

    @Scheduled(every = "${fomo.inbox.park.poll-interval}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return JobRun.guarded(LOG, "parked events run", inbox::retryParked);
    }
}
