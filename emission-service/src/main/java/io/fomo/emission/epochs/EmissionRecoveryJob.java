package io.fomo.emission.epochs;

import org.jboss.logging.Logger;

import io.fomo.shared.ops.JobRun;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * On every replica, every {@code fomo.emission.recovery-interval}: resumes each unfinished epoch that nobody holds
 * (a crashed or stopped replica's lease has expired, an epoch waiting for a DeploymentLive, a ledger that was down):
 * {@link EmissionService#resumeUnfinished()}.
 */
@ApplicationScoped
public class EmissionRecoveryJob {

    private static final Logger LOG = Logger.getLogger(EmissionRecoveryJob.class);

    @Inject
    EmissionService emission;

    @Scheduled(every = "${fomo.emission.recovery-interval}", delayed = "2s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return JobRun.guarded(LOG, "emission recovery run", emission::resumeUnfinished);
    }
}
