package io.fomo.billing.discounts;

import java.time.ZoneOffset;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.shared.events.Inbox;
import io.fomo.shared.events.types.StakeChanged;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.rabbitmq.IncomingRabbitMQMetadata;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Projection of users' staking discounts from staking-service's {@code StakeChanged}: applied only if its
 * sequence is newer than the stored one (out-of-order delivery cannot roll a discount back). The protocol cap
 * ({@code fomo.billing.discount-cap-bps}) is applied at Authorize, so the projection keeps the tier as announced.
 */
@ApplicationScoped
public class StakeDiscounts {

    @Inject
    Inbox inbox;

    @Inject
    ObjectMapper mapper;

    @Incoming("stake-changed")
    public Uni<Void> consume(JsonObject body, IncomingRabbitMQMetadata delivery) {
        return inbox.handle("billing.discounts", body, delivery, envelope -> apply(envelope.payloadAs(mapper, StakeChanged.class)));
    }

    /** Upserts if newer; call inside a Hibernate Reactive transaction. */
    public Uni<Void> apply(StakeChanged e) {
        if (e.discountBps() < 0) {
            throw new IllegalArgumentException("negative discount in StakeChanged for " + e.userId());
        }
        return Panache.getSession().flatMap(s -> s.createNativeQuery("""
                INSERT INTO stake_discount (user_id, deployment_id, staked, discount_bps, sequence, as_of)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                ON CONFLICT (user_id, deployment_id) DO UPDATE SET staked = EXCLUDED.staked, discount_bps = EXCLUDED.discount_bps,
                  sequence = EXCLUDED.sequence, as_of = EXCLUDED.as_of
                WHERE stake_discount.sequence < EXCLUDED.sequence""")
                .setParameter(1, e.userId()).setParameter(2, e.deploymentId()).setParameter(3, e.staked())
                .setParameter(4, e.discountBps()).setParameter(5, e.sequence())
                .setParameter(6, e.asOf() == null ? null : e.asOf().atOffset(ZoneOffset.UTC)).executeUpdate()).replaceWithVoid();
    }
}
