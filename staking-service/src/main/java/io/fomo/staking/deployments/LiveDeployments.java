package io.fomo.staking.deployments;

import java.time.Instant;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.shared.db.Tx;
import io.fomo.shared.events.Inbox;
import io.fomo.shared.events.types.DeploymentLive;
import io.fomo.shared.money.Token;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.rabbitmq.IncomingRabbitMQMetadata;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Projection of rmo-service's {@code DeploymentLive} (SPEC §6 "A user stakes MT of a live model"): the models that
 * can be staked and earn rewards, with their MT symbol. The consumer of {@code DeploymentLive}: its effect runs on the
 * inbox's transaction, so a failing effect leaves no inbox row; re-delivery is absorbed by the inbox.
 */
@ApplicationScoped
public class LiveDeployments {

    /** The inbox's consumer name (stable: the inbox rows of past deliveries are keyed by it). */
    static final String CONSUMER = "staking.deployments";

    public record Deployment(String id, String symbol) {
        public Token token() {
            return Token.modelToken(symbol);
        }
    }

    @Inject
    Inbox inbox;

    @Inject
    ObjectMapper mapper;

    @Inject
    DeploymentStore store;

    @Incoming("deployment-live")
    public Uni<Void> consume(JsonObject body, IncomingRabbitMQMetadata delivery) {
        return inbox.handle(CONSUMER, body, delivery, (tx, envelope) -> apply(tx, envelope.payloadAs(mapper, DeploymentLive.class)));
    }

    /** Upserts the deployment on {@code tx} (an MT symbol that is not one is refused). */
    public Uni<Void> apply(Tx tx, DeploymentLive d) {
        Token.modelToken(d.symbol());
        return store.upsert(tx, d.deploymentId(), d.symbol(), d.ownerId(), d.liveAt() == null ? Instant.now() : d.liveAt());
    }

    /** The live deployment, or null. */
    public Uni<Deployment> find(Tx tx, String id) {
        return store.find(tx, id).map(d -> d.orElse(null));
    }
}
