package io.fomo.rmo.delisting;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import org.jboss.logging.Logger;

import io.fomo.rmo.deployment.DeploymentState;
import io.fomo.rmo.deployment.DeploymentStore;
import io.fomo.rmo.deployment.DeploymentView;
import io.fomo.rmo.deployment.StatusTransitions;
import io.fomo.shared.db.Db;
import io.fomo.shared.db.Tx;
import io.fomo.shared.errors.ErrorCode;
import io.fomo.shared.web.IdempotencyKeys;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Delisting (SPEC §7a, issue #22), in two steps, each one transaction with its {@code DeploymentStatusChanged}:
 * <ol>
 *   <li>{@link #delist}: its owner or an operator moves a LIVE or SUSPENDED deployment to DELISTING (billing then
 *       refuses its new authorizations and winds it down);</li>
 *   <li>{@link #woundDown}: billing's {@code DeploymentWoundDown} (no open hold, last window and epoch settled) moves
 *       it DELISTING → DELISTED with {@code lastEpoch}.</li>
 * </ol>
 */
@ApplicationScoped
public class DelistingService {

    private static final Logger LOG = Logger.getLogger(DelistingService.class);

    @Inject
    Db db;

    @Inject
    DeploymentStore deployments;

    @Inject
    StatusTransitions transitions;

    @Inject
    IdempotencyKeys idempotency;

    /** Who delists and why (the reason already validated, may be null). */
    public record Delisting(String caller, boolean operator, String reason) {
    }

    public Uni<DeploymentView> delist(String deploymentId, Delisting by, String idempotencyKey, Object fingerprint) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return db.transaction(tx -> idempotency.once(tx, "delist:" + by.caller(), idempotencyKey, fingerprint,
                DeploymentView.class, () -> deployments.lock(tx, deploymentId).flatMap(found -> {
                    DeploymentStore.Locked d = found.orElseThrow(
                            () -> ErrorCode.DEPLOYMENT_NOT_FOUND.problem("no deployment " + deploymentId));
                    if (!by.operator() && !d.ownerId().equals(by.caller())) {
                        throw ErrorCode.FORBIDDEN.problem("only the deployment's owner or an operator may delist it");
                    }
                    if (d.state().delisted()) {
                        throw ErrorCode.DEPLOYMENT_DELISTED.problem("the deployment is already " + d.state());
                    }
                    if (!d.state().canMoveTo(DeploymentState.DELISTING)) {
                        throw ErrorCode.DEPLOYMENT_NOT_LIVE.problem("only a live or suspended deployment is delisted; it is "
                                + d.state());
                    }
                    String reason = (by.operator() && !d.ownerId().equals(by.caller()) ? "delisted by an operator"
                            : "delisted by its owner") + (by.reason() == null ? "" : ": " + by.reason());
                    return transitions.move(tx, deploymentId, d.state(), DeploymentState.DELISTING, reason, now, null)
                            .flatMap(v -> view(tx, deploymentId));
                })));
    }

    /**
     * Billing's {@code DeploymentWoundDown}, in the inbox's transaction: DELISTING → DELISTED with {@code lastEpoch}.
     * Already DELISTED: nothing (a re-delivery under another id, or a second report). Any other state: nothing,
     * logged (billing winds down only what rmo announced DELISTING; a report for another state is stale or wrong).
     * An unknown deployment is an {@link IllegalArgumentException}: the event can never apply (a dead letter).
     */
    public Uni<Void> woundDown(Tx tx, String deploymentId, Long lastEpoch) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return deployments.lock(tx, deploymentId).flatMap(found -> {
            DeploymentStore.Locked d = found.orElseThrow(
                    () -> new IllegalArgumentException("DeploymentWoundDown for unknown deployment " + deploymentId));
            if (d.state() == DeploymentState.DELISTED) {
                return Uni.createFrom().voidItem();
            }
            if (d.state() != DeploymentState.DELISTING) {
                LOG.warnf("DeploymentWoundDown for deployment %s, which is %s, not DELISTING: ignored", deploymentId,
                        d.state());
                return Uni.createFrom().voidItem();
            }
            return transitions.move(tx, deploymentId, DeploymentState.DELISTING, DeploymentState.DELISTED, "wound down",
                    now, lastEpoch).replaceWithVoid();
        });
    }

    private Uni<DeploymentView> view(Tx tx, String id) {
        return deployments.find(tx, id).map(o -> o.orElseThrow());
    }
}
