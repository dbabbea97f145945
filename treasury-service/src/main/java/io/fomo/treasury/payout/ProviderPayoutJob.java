package io.fomo.treasury.payout;

import java.time.Instant;

import org.jboss.logging.Logger;

import io.fomo.shared.ops.JobRun;
import io.fomo.shared.ops.StuckWork;
import io.fomo.treasury.TreasuryConfig;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The scheduled compute-provider payout ({@code fomo.treasury.payouts.providers.enabled}, every {@code .interval}):
 * {@link ProtocolPayoutService#providerRun}; a deployment's failure is reported through {@link StuckWork} (job
 * {@value #JOB}) and never stops the others.
 */
@ApplicationScoped
public class ProviderPayoutJob {

    private static final Logger LOG = Logger.getLogger(ProviderPayoutJob.class);
    public static final String JOB = "provider-payout";

    @Inject
    ProtocolPayoutService payouts;

    @Inject
    TreasuryConfig config;

    @Inject
    StuckWork stuck;

    @Scheduled(every = "${fomo.treasury.payouts.providers.interval:P1D}", delayed = "30s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        if (!config.payouts().providers().enabled()) {
            return Uni.createFrom().voidItem();
        }
        return JobRun.guarded(LOG, "paying out compute providers", () -> run(Instant.now()));
    }

    /** One run at {@code now}. */
    public Uni<java.util.List<PayoutView>> run(Instant now) {
        return payouts.providerRun(now, (deployment, e) -> stuck.failed(JOB, deployment, e))
                .invoke(list -> list.forEach(p -> stuck.succeeded(JOB, p.deploymentId())));
    }
}
