package io.fomo.emission.epochs;

import java.util.List;

import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * On every replica, every {@code fomo.emission.recovery-interval}: resumes each unfinished epoch that nobody holds
 * (a crashed or stopped replica's lease has expired, an epoch waiting for a DeploymentLive, a ledger that was down).
 */
@ApplicationScoped
public class EmissionRecovery {

    private static final Logger LOG = Logger.getLogger(EmissionRecovery.class);
    private static final int BATCH = 100;

    @Inject
    EpochStore store;

    @Inject
    EmissionProcessor processor;

    @Scheduled(every = "${fomo.emission.recovery-interval}", delayed = "2s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return runOnce().replaceWithVoid()
                .onFailure().invoke(e -> LOG.warnf("emission recovery run failed (it will be retried): %s", e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** One run: passes over up to 100 unfinished, unheld epochs, oldest first; returns their numbers. */
    public Uni<List<Long>> runOnce() {
        return store.unfinished(BATCH).flatMap(epochs -> epochs.isEmpty() ? Uni.createFrom().item(epochs)
                : Multi.createFrom().iterable(epochs)
                        .onItem().transformToUniAndConcatenate(epoch -> processor.process(epoch)
                                .onFailure().invoke(t -> LOG.warnf("epoch %d: %s (the next run resumes it)", epoch, t.getMessage()))
                                .onFailure().recoverWithItem(t -> "FAILED: " + t.getMessage()))
                        .collect().asList().replaceWith(epochs));
    }
}
