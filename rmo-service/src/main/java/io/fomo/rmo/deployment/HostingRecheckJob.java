package io.fomo.rmo.deployment;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import org.jboss.logging.Logger;

import io.fomo.rmo.config.RmoConfig;
import io.fomo.shared.db.Db;
import io.fomo.shared.ops.StuckWork;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Continuous hosting checks (SPEC §7a, issue #22): every {@code fomo.rmo.hosting.recheck.tick} the job claims the LIVE
 * and SUSPENDED deployments whose re-check is due ({@code fomo.rmo.hosting.recheck.interval} after the previous one)
 * and checks each. Three steps per pass, none holding a transaction across the network:
 * <ol>
 *   <li>one short transaction claims up to {@code fomo.rmo.hosting.recheck.batch} due deployments
 *       ({@code FOR UPDATE SKIP LOCKED}; the claim moves {@code next_check_at} one interval on, a lease, so replicas
 *       never check one deployment twice at once);</li>
 *   <li>the HTTP check ({@link HostingChecker}) of each, outside any transaction;</li>
 *   <li>one transaction per result ({@link DeploymentService#record}): history, consecutive failures, and the
 *       suspension or resumption with its {@code DeploymentStatusChanged}.</li>
 * </ol>
 * Each deployment is isolated: one that fails to be checked or recorded is reported through {@link StuckWork} (job
 * {@value #JOB}: log, metric, {@code GET /api/v1/ops/stuck}) and checked again at its next due time; the others go on.
 * {@code fomo.rmo.hosting.recheck.enabled=false} stops the schedule ({@link #recheckDue} still runs a pass on demand).
 */
@ApplicationScoped
public class HostingRecheckJob {

    private static final Logger LOG = Logger.getLogger(HostingRecheckJob.class);

    /** The job's name in {@link StuckWork}. */
    public static final String JOB = "hosting-recheck";

    @Inject
    Db db;

    @Inject
    DeploymentStore store;

    @Inject
    DeploymentService deployments;

    @Inject
    HostingChecker checker;

    @Inject
    RmoConfig config;

    @Inject
    StuckWork stuck;

    @Scheduled(every = "${fomo.rmo.hosting.recheck.tick}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        if (config.hosting().recheck().enabled()) {
            recheckDue();
        }
    }

    /** One pass: claims the due deployments and checks each; the number checked and recorded. */
    public int recheckDue() {
        RmoConfig.Recheck c = config.hosting().recheck();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        List<DeploymentStore.Due> due;
        try {
            due = db.transaction(tx -> store.claimDue(tx, now, now.plus(c.interval()), c.batch()))
                    .await().atMost(Duration.ofSeconds(30));
        } catch (RuntimeException e) {
            LOG.warnf("hosting re-check: cannot claim due deployments: %s", e.getMessage());
            return 0;
        }
        int done = 0;
        for (DeploymentStore.Due d : due) {
            done += recheckOne(d) ? 1 : 0;
        }
        return done;
    }

    /** One deployment's re-check, isolated: a failure is reported and never reaches the other deployments. */
    boolean recheckOne(DeploymentStore.Due d) {
        try {
            Duration deadline = config.hostingCheck().timeout().plusSeconds(30);
            HostingChecker.Result r = checker.check(d.baseUrl(), d.modelId()).await().atMost(deadline);
            deployments.record(d.id(), r).await().atMost(Duration.ofSeconds(30));
            stuck.succeeded(JOB, d.id());
            return true;
        } catch (RuntimeException e) {
            stuck.failed(JOB, d.id(), e);
            return false;
        }
    }
}
