package io.fomo.billing.discounts;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.shared.db.Db;
import io.fomo.shared.db.Tx;
import io.fomo.shared.events.EventEnvelope;
import io.fomo.shared.events.Inbox;
import io.fomo.shared.events.InboxConsumer;
import io.fomo.shared.events.types.StakeChanged;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.rabbitmq.IncomingRabbitMQMetadata;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Projection of users' staking discounts from staking-service's {@code StakeChanged}: applied only if its
 * sequence is newer than the stored one (out-of-order delivery cannot roll a discount back). The protocol cap
 * ({@code fomo.billing.discount-cap-bps}) is applied at Authorize, so the projection keeps the tier as announced.
 * The upsert runs in the inbox's transaction: a failing upsert rolls the inbox row back too (SPEC §9).
 */
@ApplicationScoped
public class StakeDiscounts implements InboxConsumer {

    static final String CONSUMER = "billing.discounts";

    @Inject
    Inbox inbox;

    @Inject
    ObjectMapper mapper;

    @Inject
    Db db;

    @Inject
    DiscountStore store;

    @Incoming("stake-changed")
    public Uni<Void> consume(JsonObject body, IncomingRabbitMQMetadata delivery) {
        return inbox.handle(CONSUMER, body, delivery, this::effect);
    }

    /** The effect, known to the inbox by name so a parked event applies after a restart (issue #19). */
    @Override
    public void registerEffects(Inbox inbox) {
        inbox.register(CONSUMER, this::effect);
    }

    private Uni<Void> effect(Tx tx, EventEnvelope envelope) {
        return apply(tx, envelope.payloadAs(mapper, StakeChanged.class));
    }

    /** Upserts if newer, in a transaction of its own (or the caller's, which it joins). */
    public Uni<Void> apply(StakeChanged e) {
        return db.transaction(tx -> apply(tx, e));
    }

    /** Upserts if newer, on {@code tx}; a negative discount is refused. */
    public Uni<Void> apply(Tx tx, StakeChanged e) {
        if (e.discountBps() < 0) {
            return Uni.createFrom().failure(new IllegalArgumentException("negative discount in StakeChanged for " + e.userId()));
        }
        return store.upsertIfNewer(tx, e).replaceWithVoid();
    }
}
