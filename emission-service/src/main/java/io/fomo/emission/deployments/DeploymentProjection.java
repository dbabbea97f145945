package io.fomo.emission.deployments;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.emission.epochs.EmissionService;
import io.fomo.shared.db.Tx;
import io.fomo.shared.events.Inbox;
import io.fomo.shared.events.types.DeploymentLive;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.rabbitmq.IncomingRabbitMQMetadata;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Projection of rmo-service's {@code DeploymentLive}: who owns a model (the owner part of its emission goes to their
 * FLOCK USER account) and when it went live (its age at an epoch's start, SPEC §7). A deployment goes live once, so
 * the first announcement wins. The row is written in the inbox's transaction. After it commits, epochs that waited for
 * this deployment are resumed.
 */
@ApplicationScoped
public class DeploymentProjection {

    private static final Logger LOG = Logger.getLogger(DeploymentProjection.class);
    public static final String CONSUMER = "emission.deployment-live";

    @Inject
    Inbox inbox;

    @Inject
    ObjectMapper mapper;

    @Inject
    DeploymentStore store;

    @Inject
    EmissionService emission;

    @Incoming("deployment-live")
    public Uni<Void> consume(JsonObject body, IncomingRabbitMQMetadata delivery) {
        return inbox.handle(CONSUMER, body, delivery,
                (tx, envelope) -> apply(tx, envelope.eventId(), envelope.payloadAs(mapper, DeploymentLive.class)))
                .invoke(() -> emission.kickWaiting());
    }

    /** Records the deployment on {@code tx} (the inbox's transaction). */
    Uni<Void> apply(Tx tx, String eventId, DeploymentLive d) {
        if (d.deploymentId() == null || d.deploymentId().isBlank() || d.ownerId() == null || d.ownerId().isBlank()
                || d.liveAt() == null) {
            return Uni.createFrom().failure(new IllegalArgumentException(
                    "DeploymentLive " + eventId + " lacks deploymentId, ownerId or liveAt"));
        }
        return store.insertFirst(tx, eventId, d).invoke(inserted -> {
            if (!inserted) {
                LOG.infof("DeploymentLive %s: deployment %s was projected before; kept the first", eventId, d.deploymentId());
            }
        }).replaceWithVoid();
    }
}
