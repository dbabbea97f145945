package io.fomo.staking.deployments;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.shared.db.Tx;
import io.fomo.shared.deployments.DeploymentStatus;
import io.fomo.shared.events.AwaitingFact;
import io.fomo.shared.events.EventEnvelope;
import io.fomo.shared.events.Inbox;
import io.fomo.shared.events.InboxConsumer;
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
public class DeploymentStatusConsumer implements InboxConsumer {

    private static final Logger LOG = Logger.getLogger(DeploymentStatusConsumer.class);
    /** The inbox's consumer name (stable: the inbox rows of past deliveries are keyed by it). */
    public static final String CONSUMER = "staking.deployment-status";
    static final int MAX_ID = 128;

    @Inject
    Inbox inbox;

    @Inject
    DeploymentStore store;

    @Inject
    ObjectMapper mapper;

    @Incoming("deployment-status")
    public Uni<Void> consume(JsonObject body, IncomingRabbitMQMetadata delivery) {
        return inbox.handle(CONSUMER, body, delivery, this::effect);
    }

    @Override
    public void registerEffects(Inbox inbox) {
        inbox.register(CONSUMER, this::effect);
    }

    /** The inbox effect. */
    public Uni<Void> effect(Tx tx, EventEnvelope envelope) {
        return Uni.createFrom().deferred(() -> {
            DeploymentStatusChanged event = envelope.payloadAs(mapper, DeploymentStatusChanged.class);
            DeploymentStatus status = validate(event);
            String id = event.deploymentId();
            return store.status(tx, id).flatMap(stored -> {
                if (stored.isEmpty()) {
                    return Uni.createFrom().failure(new AwaitingFact(AwaitingFact.deploymentLive(id),
                            "DeploymentStatusChanged " + envelope.eventId() + " of " + id + " before its DeploymentLive"));
                }
                if (!DeploymentStatus.isNewer(event.version(), stored.get().version())) {
                    LOG.debugf("%s: %s version %d of %s is not newer than %d; nothing to do", CONSUMER,
                            envelope.eventId(), event.version(), id, stored.get().version());
                    return Uni.createFrom().voidItem();
                }
                LOG.infof("%s: deployment %s is %s (version %d): %s", CONSUMER, id, status, event.version(),
                        event.reason());
                return store.updateStatus(tx, id, status, event.version(), event.lastEpoch(), envelope.eventId(),
                        event.changedAt()).replaceWithVoid();
            });
        });
    }

    /** The event's checks; a failure is an {@link IllegalArgumentException} (the inbox records a dead letter). */
    static DeploymentStatus validate(DeploymentStatusChanged e) {
        if (e == null) {
            throw new IllegalArgumentException("DeploymentStatusChanged without a payload");
        }
        String id = e.deploymentId();
        if (id == null || id.isBlank() || id.length() > MAX_ID) {
            throw new IllegalArgumentException("DeploymentStatusChanged: deploymentId is required (1-" + MAX_ID + " characters)");
        }
        DeploymentStatus status = DeploymentStatus.parse(e.status());
        if (e.version() < 1) {
            throw new IllegalArgumentException("DeploymentStatusChanged of " + id + ": version must be >= 1, was " + e.version());
        }
        if (e.lastEpoch() != null && (status != DeploymentStatus.DELISTED || e.lastEpoch() < 0)) {
            throw new IllegalArgumentException("DeploymentStatusChanged of " + id + ": lastEpoch " + e.lastEpoch()
                    + " is only for DELISTED, and >= 0");
        }
        return status;
    }
}
