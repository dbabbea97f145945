package io.fomo.treasury.split;

import java.time.Instant;

import org.jboss.logging.Logger;

import io.fomo.shared.ops.JobRun;
import io.fomo.shared.ops.StuckWork;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Retries the buyback carries at every settlement window's end (issue #19, SPEC §5 "every window, whether or not the
 * model earned in it"): every {@code fomo.treasury.split.carry-interval} it takes the last window whose end plus
 * {@code carry-delay} has passed ({@link SettlementWindows#due}) and runs {@link CarryService#run} for each model with
 * a carry and neither a split nor a run in that window. Deployment by deployment: a model whose run throws is
 * reported through {@link StuckWork} (job {@value #JOB}: log, metric, {@code GET /api/v1/ops/stuck}) and the others
 * proceed. Replicas may run it together: a window's run is one idempotent ledger batch per (window, deployment).
 * A window missed while the treasury was down is not made up for: its carry is retried in the next window, once
 * (catching up several windows at once would buy several bounds' worth at one price, which the bound is there to
 * prevent).
 */
@ApplicationScoped
public class CarryJob {

    private static final Logger LOG = Logger.getLogger(CarryJob.class);

    /** The job's name in {@link StuckWork}. */
    public static final String JOB = "buyback-carry";

    @Inject
    CarryService carries;

    @Inject
    StuckWork stuck;

    @Scheduled(every = "${fomo.treasury.split.carry-interval:30s}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return JobRun.guarded(LOG, "retrying buyback carries", () -> run(Instant.now()));
    }

    /** One run at {@code now}: the carries of the window due then; how many runs this call did. */
    public Uni<Integer> run(Instant now) {
        long window = carries.windows().due(now);
        return carries.due(window).flatMap(due -> Multi.createFrom().iterable(due)
                .onItem().transformToUniAndConcatenate(d -> runOne(window, d.deploymentId()))
                .collect().asList()
                .map(done -> (int) done.stream().filter(Boolean::booleanValue).count()));
    }

    /** One deployment's run, isolated: a failure is reported and never reaches the other deployments. */
    Uni<Boolean> runOne(long window, String deploymentId) {
        return Uni.createFrom().deferred(() -> carries.run(window, deploymentId))
                .invoke(x -> stuck.succeeded(JOB, deploymentId))
                .onFailure().recoverWithItem(e -> {
                    stuck.failed(JOB, deploymentId, e);
                    return false;
                });
    }
}
