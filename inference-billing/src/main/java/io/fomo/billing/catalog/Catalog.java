package io.fomo.billing.catalog;

import java.math.BigInteger;
import java.time.ZoneOffset;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.shared.events.Inbox;
import io.fomo.shared.events.types.DeploymentLive;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.rabbitmq.IncomingRabbitMQMetadata;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Projection of live deployments from rmo-service's {@code DeploymentLive} (prices and costs as USDC base units
 * per 1M tokens), so Authorize never calls rmo. Re-delivery is absorbed by the inbox; a newer event for the same
 * deployment overwrites (prices of a live deployment are fixed in SPEC §3, so this is only a safety net).
 */
@ApplicationScoped
public class Catalog {

    @Inject
    Inbox inbox;

    @Inject
    ObjectMapper mapper;

    @Incoming("deployment-live")
    public Uni<Void> consume(JsonObject body, IncomingRabbitMQMetadata delivery) {
        return inbox.handle("billing.catalog", body, delivery, envelope -> apply(envelope.payloadAs(mapper, DeploymentLive.class)));
    }

    /** Upserts the deployment; call inside a Hibernate Reactive transaction. */
    public Uni<Void> apply(DeploymentLive d) {
        return Panache.getSession().flatMap(s -> s.createNativeQuery("""
                INSERT INTO deployment (id, symbol, owner_id, model_id, input_price, output_price, input_cost, output_cost, live_at, pool_id)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                ON CONFLICT (id) DO UPDATE SET symbol = EXCLUDED.symbol, owner_id = EXCLUDED.owner_id, model_id = EXCLUDED.model_id,
                  input_price = EXCLUDED.input_price, output_price = EXCLUDED.output_price, input_cost = EXCLUDED.input_cost,
                  output_cost = EXCLUDED.output_cost, live_at = EXCLUDED.live_at, pool_id = EXCLUDED.pool_id""")
                .setParameter(1, d.deploymentId()).setParameter(2, d.symbol()).setParameter(3, d.ownerId())
                .setParameter(4, d.modelId())
                .setParameter(5, perMillion(d.inputPricePerMillion())).setParameter(6, perMillion(d.outputPricePerMillion()))
                .setParameter(7, perMillion(d.inputCostPerMillion())).setParameter(8, perMillion(d.outputCostPerMillion()))
                .setParameter(9, d.liveAt() == null ? null : d.liveAt().atOffset(ZoneOffset.UTC)).setParameter(10, d.poolId())
                .executeUpdate()).replaceWithVoid();
    }

    static long perMillion(String usdc) {
        BigInteger units = Amount.parse(Token.USDC, usdc).units();
        return units.longValueExact();
    }
}
