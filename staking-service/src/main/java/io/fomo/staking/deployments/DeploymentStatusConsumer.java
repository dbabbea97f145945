package io.fomo.staking.deployments;

import java.util.Optional;

import org.eclipse.microprofile.reactive.messaging.Incoming;

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
 * rmo-service's {@code DeploymentStatusChanged} (SPEC §7a, issue #22) → the status on staking's live-deployment
 * projection (table {@code deployment}), in the inbox's transaction. A DELISTING or DELISTED deployment takes no new
 * stakes ({@link Deployment#takesNewStakes}); SUSPENDED changes nothing here.
 * <ul>
 *   <li>the version rule ({@link DeploymentStatus#isNewer}): only a version above the stored one applies; an older or
 *       equal one (re-delivered, reordered) changes nothing;</li>
 *   <li>a deployment whose {@code DeploymentLive} has not arrived: parked ({@link AwaitingFact#deploymentLive}) and
 *       applied once it has;</li>
 *   <li>malformed (no or an overlong id, unknown status, version below 1, a last epoch that is negative or given with
 *       another status than DELISTED): {@link IllegalArgumentException}, a dead letter.</li>
 * </ul>
 */
@ApplicationScoped
public class DeploymentStatusConsumer extends DeploymentStatusProjection {

    /** The inbox's consumer name (stable: the inbox rows of past deliveries are keyed by it). */
    public static final String CONSUMER = "staking.deployment-status";

    @Inject
    Inbox inbox;

    @Inject
    DeploymentStore store;

    @Incoming("deployment-status")
    public Uni<Void> consume(JsonObject body, IncomingRabbitMQMetadata delivery) {
        return inbox.handle(CONSUMER, body, delivery, this::effect);
    }

    @Override
    protected String name() {
        return CONSUMER;
    }

    @Override
    protected Uni<Optional<Long>> storedVersion(Tx tx, String deploymentId) {
        return store.status(tx, deploymentId).map(o -> o.map(DeploymentStore.Status::version));
    }

    @Override
    protected Uni<Void> store(Tx tx, String eventId, DeploymentStatusChanged event, DeploymentStatus status) {
        return store.updateStatus(tx, event.deploymentId(), status, event.version(), event.lastEpoch(), eventId,
                event.changedAt()).replaceWithVoid();
    }
}
