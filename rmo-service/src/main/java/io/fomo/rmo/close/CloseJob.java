package io.fomo.rmo.close;

import java.util.List;

import org.jboss.logging.Logger;

import io.fomo.shared.ops.StuckWork;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The scheduled trigger of the close ({@code fomo.rmo.close.interval}): claims due offerings and resumes abandoned
 * closes (expired lease), offering by offering (issue #17: "no input can make a scheduled job fail for everyone"). An
 * offering whose close throws is reported through {@link StuckWork} (job {@value #JOB}: log, metric,
 * {@code GET /api/v1/ops/stuck}) and tried again on the next run; every other offering still closes. Stuck offerings
 * come last in a run, so they cannot fill its batch.
 */
@ApplicationScoped
public class CloseJob {

    private static final Logger LOG = Logger.getLogger(CloseJob.class);

    /** The job's name in {@link StuckWork}. */
    public static final String JOB = "offering-close";

    @Inject
    CloseService closes;

    @Inject
    StuckWork stuck;

    @Scheduled(every = "${fomo.rmo.close.interval}", delayed = "2s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        List<String> due;
        try {
            String[] stuckIds = stuck.list().stream().filter(i -> JOB.equals(i.job())).map(StuckWork.Item::key)
                    .toArray(String[]::new);
            due = closes.due(stuckIds);
        } catch (RuntimeException e) {
            LOG.warnf("close scheduler: cannot read due offerings: %s", e.getMessage());
            return;
        }
        for (String id : due) {
            closeOne(id);
        }
    }

    /** One offering's scheduled close, isolated: a failure is reported and never reaches the other offerings. */
    void closeOne(String id) {
        try {
            closes.closeDue(id);
            stuck.succeeded(JOB, id);
        } catch (RuntimeException e) {
            stuck.failed(JOB, id, e);
        }
    }
}
