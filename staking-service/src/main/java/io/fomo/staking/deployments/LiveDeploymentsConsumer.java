package io.fomo.staking.deployments;

import java.util.Optional;

import org.eclipse.microprofile.reactive.messaging.Incoming;

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
 * Staking's projection of rmo-service's {@code DeploymentLive} (SPEC §6 "A user stakes MT of a live model"): the models
 * that can be staked and earn rewards, with their MT symbol, owner and time live. The shared
 * {@link DeploymentLiveProjection} validates and decides (first announcement wins); the effect runs on the inbox's
 * transaction, so a failing effect leaves no inbox row, and re-delivery is absorbed by the inbox.
 */
@ApplicationScoped
public class LiveDeploymentsConsumer extends DeploymentLiveProjection {

    /** The inbox's consumer name (stable: the inbox rows of past deliveries are keyed by it). */
    static final String CONSUMER = "staking.deployments";

    @Inject
    Inbox inbox;

    @Inject
    DeploymentStore store;

    @Incoming("deployment-live")
    public Uni<Void> consume(JsonObject body, IncomingRabbitMQMetadata delivery) {
        return inbox.handle(CONSUMER, body, delivery, this::effect);
    }

    @Override
    protected String name() {
        return CONSUMER;
    }

    /** Keeps symbol, owner and liveAt; every other field is not compared. */
    @Override
    protected Uni<Optional<DeploymentLive>> find(Tx tx, String deploymentId) {
        return store.stored(tx, deploymentId).map(o -> o.map(r -> new DeploymentLive(r.id(), r.symbol(), r.ownerId(), null, null,
                null, null, null, r.liveAt(), null, null, null)));
    }

    @Override
    protected Uni<Void> insert(Tx tx, String eventId, DeploymentLive d) {
        return store.insert(tx, d.deploymentId(), d.symbol(), d.ownerId(), d.liveAt());
    }
}
