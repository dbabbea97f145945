package io.fomo.emission.deployments;

import java.util.Optional;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.fomo.emission.epochs.EmissionService;
import io.fomo.shared.db.Tx;
import io.fomo.shared.deployments.DeploymentLiveProjection;
import io.fomo.shared.events.Inbox;
import io.fomo.shared.events.types.DeploymentLive;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.rabbitmq.IncomingRabbitMQMetadata;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * rmo-service's {@code DeploymentLive} → table {@code deployment}: who owns a model (the owner part of its emission
 * goes to their FLOCK USER account) and when it went live (its age at an epoch's start, SPEC §7). The suite's one
 * projection rule ({@link DeploymentLiveProjection}: one validation, the first announcement wins) on the inbox's
 * transaction. After it commits, epochs that waited for a deployment are resumed.
 */
@ApplicationScoped
public class DeploymentLiveConsumer extends DeploymentLiveProjection {

    public static final String CONSUMER = "emission.deployment-live";

    @Inject
    Inbox inbox;

    @Inject
    DeploymentStore store;

    @Inject
    EmissionService emission;

    @Incoming("deployment-live")
    public Uni<Void> consume(JsonObject body, IncomingRabbitMQMetadata delivery) {
        return inbox.handle(CONSUMER, body, delivery, this::effect).invoke(() -> emission.kickWaiting());
    }

    @Override
    protected String name() {
        return CONSUMER;
    }

    /** What the table keeps: the symbol, the owner and the live time. */
    @Override
    protected Uni<Optional<DeploymentLive>> find(Tx tx, String deploymentId) {
        return store.find(tx, deploymentId).map(found -> found.map(r -> new DeploymentLive(deploymentId, r.symbol(),
                r.ownerId(), null, null, null, null, null, r.liveAt(), null, null, null)));
    }

    @Override
    protected Uni<Void> insert(Tx tx, String eventId, DeploymentLive d) {
        return store.insert(tx, eventId, d);
    }
}
