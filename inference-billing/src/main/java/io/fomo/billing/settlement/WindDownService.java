package io.fomo.billing.settlement;

import java.time.Duration;
import java.time.Instant;

import org.jboss.logging.Logger;

import io.fomo.shared.db.Db;
import io.fomo.shared.db.DbRow;
import io.fomo.shared.db.Tx;
import io.fomo.shared.deployments.DeploymentStatus;
import io.fomo.shared.events.Outbox;
import io.fomo.shared.events.types.DeploymentWoundDown;
import io.fomo.shared.ops.StuckWork;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The wind-down of a DELISTING deployment (SPEC §7a, issue #22), run after each settlement run by
 * {@link SettlementJob}, <b>deployment by deployment</b> (each in its own transaction; one that throws is reported
 * through {@link StuckWork} job {@value #JOB} and retried at the next run, the others go on). Billing publishes
 * {@code DeploymentWoundDown} (event id {@link DeploymentWoundDown#eventIdOf}, outbox, same transaction as
 * {@code deployment.wound_down_at}) exactly once, when all of these hold:
 * <ol>
 * <li>the DELISTING status has been in billing for at least {@code fomo.billing.settle-delay} (an Authorize that read
 *     LIVE just before the status arrived has written its hold by then);</li>
 * <li>no hold of the deployment is open: each is captured, released or expired (HELD past its expiry cannot be
 *     captured any more; {@code HoldJob} gives its credits back as for any hold);</li>
 * <li>every window with a capture of it is settled and its {@code WindowSettled} published (frozen: before
 *     {@code open_window}; none of its windows pending; none of its WindowSettled unpublished in the outbox);</li>
 * <li>the epoch of its last capture is closed and its {@code EpochClosed} published.</li>
 * </ol>
 * {@code lastWindow}/{@code lastEpoch} are its last capture's window and epoch (null when it never had a capture).
 * rmo then marks the deployment DELISTED; that status event changes nothing else here.
 */
@ApplicationScoped
public class WindDownService {

    private static final Logger LOG = Logger.getLogger(WindDownService.class);
    /** {@link StuckWork} job of a deployment whose wind-down throws. */
    public static final String JOB = "wind-down";

    @Inject
    Db db;

    @Inject
    WindDownStore store;

    @Inject
    BillingClock clock;

    @Inject
    Outbox outbox;

    @Inject
    StuckWork stuck;

    /** One run over every DELISTING deployment not yet wound down; returns how many it wound down. */
    public Uni<Integer> run(Instant now) {
        return db.session(store::windingDown).flatMap(deployments -> {
            Uni<Integer> chain = Uni.createFrom().item(0);
            for (String deployment : deployments) {
                chain = chain.flatMap(n -> windDown(deployment, now).map(done -> done ? n + 1 : n));
            }
            return chain;
        });
    }

    /** One deployment in one transaction; false when it is not ready (or failed: reported, not thrown). */
    Uni<Boolean> windDown(String deployment, Instant now) {
        return db.transaction(tx -> store.lock(tx, deployment).flatMap(row -> {
            if (row.isEmpty() || !ready(row.get(), now)) {
                return Uni.createFrom().item(false);
            }
            return store.facts(tx, deployment, now).flatMap(f -> {
                if (f.bool("open_holds") || f.bool("windows_pending") || f.bool("windows_unpublished")) {
                    return Uni.createFrom().item(false);
                }
                if (f.isNull("last_window")) {
                    return publish(tx, deployment, null, null, now);
                }
                long lastWindow = f.longValue("last_window");
                if (f.isNull("open_window") || lastWindow >= f.longValue("open_window")) {
                    return Uni.createFrom().item(false); // its last window is not frozen yet
                }
                long lastEpoch = clock.epochOfWindow(lastWindow);
                return store.epochClosedAndPublished(tx, lastEpoch).flatMap(closed -> closed
                        ? publish(tx, deployment, lastWindow, lastEpoch, now)
                        : Uni.createFrom().item(false));
            });
        }))
                .invoke(done -> stuck.succeeded(JOB, deployment))
                .onFailure().recoverWithItem(e -> {
                    stuck.failed(JOB, deployment, e);
                    return false;
                });
    }

    /** DELISTING, not wound down, and the status applied at least the settle delay ago. */
    private boolean ready(DbRow d, Instant now) {
        if (!DeploymentStatus.DELISTING.name().equals(d.string("status")) || !d.isNull("wound_down_at")) {
            return false;
        }
        Duration guard = clock.settleDelay();
        return !d.isNull("status_applied_at") && !d.instant("status_applied_at").plus(guard).isAfter(now);
    }

    private Uni<Boolean> publish(Tx tx, String deployment, Long lastWindow, Long lastEpoch, Instant now) {
        return store.markWoundDown(tx, deployment, now)
                .flatMap(x -> outbox.enqueue(tx, DeploymentWoundDown.eventIdOf(deployment),
                        new DeploymentWoundDown(deployment, lastWindow, lastEpoch, now)))
                .invoke(x -> LOG.infof("deployment %s wound down (last window %s, last epoch %s): DeploymentWoundDown"
                        + " published", deployment, lastWindow, lastEpoch))
                .replaceWith(true);
    }
}
