package io.fomo.treasury.credits;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.shared.db.Db;
import io.fomo.shared.db.Tx;
import io.fomo.shared.events.Inbox;
import io.fomo.shared.events.InboxConsumer;
import io.fomo.shared.events.types.CreditsRefunded;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.rabbitmq.IncomingRabbitMQMetadata;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Billing's {@code CreditsRefunded} (issue #21) through the inbox ({@value #REFUNDS}, channel {@code credits-refunds}):
 * the effect ({@link CreditsRefundService#apply}) runs on the inbox's transaction, so the event id, the ledger transfer,
 * the {@code credits_refund} row and any withdrawal commit together; a re-delivery is a duplicate.
 */
@ApplicationScoped
public class CreditsRefundConsumer implements InboxConsumer {

    public static final String REFUNDS = "treasury.credits-refunds";

    @Inject
    Inbox inbox;

    @Inject
    ObjectMapper mapper;

    @Inject
    CreditsRefundService refunds;

    @Inject
    Db db;

    @Override
    public void registerEffects(Inbox inbox) {
        inbox.register(REFUNDS, (tx, envelope) -> apply(tx, envelope.payloadAs(mapper, CreditsRefunded.class)));
    }

    @Incoming("credits-refunds")
    public Uni<Void> creditsRefunded(JsonObject body, IncomingRabbitMQMetadata delivery) {
        return inbox.handle(REFUNDS, body, delivery,
                (tx, envelope) -> apply(tx, envelope.payloadAs(mapper, CreditsRefunded.class)));
    }

    Uni<Void> apply(Tx tx, CreditsRefunded e) {
        return Uni.createFrom().deferred(() -> refunds.apply(tx, e)).replaceWithVoid();
    }

    /** The effect in a transaction of its own (tests, and an operator's re-drive without the inbox). */
    public Uni<CreditsRefundService.Applied> apply(CreditsRefunded e) {
        return db.transaction(tx -> refunds.apply(tx, e));
    }
}
