package io.fomo.emission.deployments;

import java.util.Optional;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.fomo.emission.epochs.EmissionService;
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
 * rmo-service's {@code DeploymentStatusChanged} (SPEC §7a, issue #22) → the status, its version and (DELISTED) the last
 * epoch on table {@code deployment}, in the inbox's transaction. Only a DELISTED status changes emission (an epoch after
 * its last epoch allocates nothing to it, {@code EmissionAllocation}); SUSPENDED and DELISTING change nothing here (no
 * revenue, no emission), except that an epoch in which a DELISTING model earned waits for its DELISTED.
 * The suite's one status projection ({@link DeploymentStatusProjection}: one validation, one re-ordering rule):
 * <ul>
 *   <li>the version rule ({@link DeploymentStatus#isNewer}): only a version above the stored one applies; an older or
 *       equal one (re-delivered, reordered) changes nothing;</li>
 *   <li>a deployment whose {@code DeploymentLive} has not arrived: the event is parked
 *       ({@link AwaitingFact#deploymentLive}) and applied once it has;</li>
 *   <li>malformed (no or an overlong id, unknown status, version below 1, a last epoch that is negative or given with
 *       another status than DELISTED): {@link IllegalArgumentException}, a dead letter.</li>
 * </ul>
 * After it commits, epochs that wait (for a DELISTED) are resumed.
 */
@ApplicationScoped
public class DeploymentStatusConsumer extends DeploymentStatusProjection {

    public static final String CONSUMER = "emission.deployment-status";

    @Inject
    Inbox inbox;

    @Inject
    DeploymentStore store;

    @Inject
    EmissionService emission;

    @Incoming("deployment-status")
    public Uni<Void> consume(JsonObject body, IncomingRabbitMQMetadata delivery) {
        return inbox.handle(CONSUMER, body, delivery, this::effect).invoke(() -> emission.kickWaiting());
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
        return store.updateStatus(tx, event.deploymentId(), status.name(), event.version(), event.lastEpoch(), eventId,
                event.changedAt()).replaceWithVoid();
    }
}
