package io.fomo.billing.catalog;

import java.util.Optional;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.fomo.shared.db.Db;
import io.fomo.shared.db.Tx;
import io.fomo.shared.deployments.DeploymentStatus;
import io.fomo.shared.deployments.DeploymentStatusProjection;
import io.fomo.shared.events.AwaitingFact;
import io.fomo.shared.events.Inbox;
import io.fomo.shared.events.types.DeploymentStatusChanged;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.rabbitmq.IncomingRabbitMQMetadata;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Projection of rmo-service's {@code DeploymentStatusChanged} (SPEC §7a, issue #22) into {@code deployment.status}:
 * Authorize takes new holds only for a LIVE deployment ({@link DeploymentStatus#takesAuthorizations}), and the
 * wind-down works on DELISTING ones ({@code settlement.WindDownService}).
 * The suite's one status projection ({@link DeploymentStatusProjection}: one validation, one re-ordering rule):
 * <ul>
 * <li>malformed (no deploymentId, unknown status, version &lt; 1, no changedAt) → {@link IllegalArgumentException}:
 *     nothing written, the inbox records a dead letter;</li>
 * <li>unknown deployment → {@link AwaitingFact#deploymentLive}: parked until its {@code DeploymentLive} is applied
 *     (the {@link Catalog} wakes it), then applied;</li>
 * <li>a version not above the stored one ({@link DeploymentStatus#isNewer}; {@code DeploymentLive} stored LIVE at 0)
 *     → nothing (a late or repeated event never undoes a newer status);</li>
 * <li>else the status, its version, reason and times are stored. DELISTED changes only that.</li>
 * </ul>
 * A re-delivery of one event id is absorbed by the inbox; the update runs in the inbox's transaction.
 */
@ApplicationScoped
public class DeploymentStatuses extends DeploymentStatusProjection {

    public static final String CONSUMER = "billing.deployment-status";

    @Inject
    Inbox inbox;

    @Inject
    Db db;

    @Inject
    CatalogStore store;

    @Incoming("deployment-status-changed")
    public Uni<Void> consume(JsonObject body, IncomingRabbitMQMetadata delivery) {
        return inbox.handle(CONSUMER, body, delivery, this::effect);
    }

    @Override
    protected String name() {
        return CONSUMER;
    }

    /** Applies the event in a transaction of its own (or the caller's, which it joins): fixtures and tests. */
    public Uni<Void> apply(DeploymentStatusChanged e) {
        return db.transaction(tx -> apply(tx, e == null ? null : DeploymentStatusChanged.eventIdOf(e.deploymentId(),
                e.version()), e));
    }

    @Override
    protected Uni<Optional<Long>> storedVersion(Tx tx, String deploymentId) {
        return store.statusVersion(tx, deploymentId);
    }

    /** A conditional update (only a newer version), so two replicas applying two versions at once keep the newer. */
    @Override
    protected Uni<Void> store(Tx tx, String eventId, DeploymentStatusChanged e, DeploymentStatus status) {
        return store.applyStatusIfNewer(tx, e.deploymentId(), status.name(), e.version(), e.reason(), e.changedAt())
                .replaceWithVoid();
    }
}
