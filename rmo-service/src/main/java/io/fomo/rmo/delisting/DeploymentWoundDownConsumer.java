package io.fomo.rmo.delisting;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import com.fasterxml.jackson.databind.JsonNode;

import io.fomo.rmo.web.Bounds;
import io.fomo.shared.db.Tx;
import io.fomo.shared.events.EventEnvelope;
import io.fomo.shared.events.Inbox;
import io.fomo.shared.events.InboxConsumer;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.rabbitmq.IncomingRabbitMQMetadata;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Billing's {@code DeploymentWoundDown} (routing key = its type, issue #22) → DELISTED ({@link DelistingService#woundDown}),
 * through the inbox: the event's id is recorded in the same transaction as the change, so a re-delivery changes
 * nothing. A payload without a readable deployment id, or for an unknown deployment, can never apply: a dead letter.
 */
@ApplicationScoped
public class DeploymentWoundDownConsumer implements InboxConsumer {

    public static final String CONSUMER = "rmo.deployment-wound-down";

    @Inject
    Inbox inbox;

    @Inject
    DelistingService delisting;

    @Incoming("deployment-wound-down")
    public Uni<Void> consume(JsonObject body, IncomingRabbitMQMetadata delivery) {
        return inbox.handle(CONSUMER, body, delivery, this::effect);
    }

    @Override
    public void registerEffects(Inbox inbox) {
        inbox.register(CONSUMER, this::effect);
    }

    Uni<Void> effect(Tx tx, EventEnvelope envelope) {
        JsonNode p = envelope.payload();
        JsonNode id = p == null ? null : p.get("deploymentId");
        if (id == null || !id.isTextual() || id.asText().isEmpty() || id.asText().length() > Bounds.MAX_ID) {
            throw new IllegalArgumentException("DeploymentWoundDown " + envelope.eventId() + " without a valid deploymentId");
        }
        JsonNode epoch = p.get("lastEpoch");
        Long lastEpoch = null;
        if (epoch != null && !epoch.isNull()) {
            if (!epoch.canConvertToExactIntegral() || !epoch.canConvertToLong() || epoch.asLong() < 0) {
                throw new IllegalArgumentException("DeploymentWoundDown " + envelope.eventId() + ": lastEpoch is not an epoch");
            }
            lastEpoch = epoch.asLong();
        }
        return delisting.woundDown(tx, id.asText(), lastEpoch);
    }
}
