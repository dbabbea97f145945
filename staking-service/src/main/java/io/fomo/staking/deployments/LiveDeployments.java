package io.fomo.staking.deployments;

import java.time.ZoneOffset;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.shared.events.Inbox;
import io.fomo.shared.events.types.DeploymentLive;
import io.fomo.shared.money.Token;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.rabbitmq.IncomingRabbitMQMetadata;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Projection of rmo-service's {@code DeploymentLive} (SPEC §6 "A user stakes MT of a live model"): the models that
 * can be staked and earn rewards, with their MT symbol. Re-delivery is absorbed by the inbox.
 */
@ApplicationScoped
public class LiveDeployments {

    public record Deployment(String id, String symbol) {
        public Token token() {
            return Token.modelToken(symbol);
        }
    }

    @Inject
    Inbox inbox;

    @Inject
    ObjectMapper mapper;

    @Incoming("deployment-live")
    public Uni<Void> consume(JsonObject body, IncomingRabbitMQMetadata delivery) {
        return inbox.handle("staking.deployments", body, delivery, envelope -> apply(envelope.payloadAs(mapper, DeploymentLive.class)));
    }

    /** Upserts the deployment; call inside a Hibernate Reactive transaction. */
    public Uni<Void> apply(DeploymentLive d) {
        Token.modelToken(d.symbol());
        return Panache.getSession().flatMap(s -> s.createNativeQuery("""
                INSERT INTO deployment (id, symbol, owner_id, live_at) VALUES (?1, ?2, ?3, ?4)
                ON CONFLICT (id) DO UPDATE SET symbol = EXCLUDED.symbol, owner_id = EXCLUDED.owner_id, live_at = EXCLUDED.live_at""")
                .setParameter(1, d.deploymentId()).setParameter(2, d.symbol()).setParameter(3, d.ownerId())
                .setParameter(4, (d.liveAt() == null ? java.time.Instant.now() : d.liveAt()).atOffset(ZoneOffset.UTC))
                .executeUpdate()).replaceWithVoid();
    }

    /** The live deployment, or null; call inside a session. */
    public Uni<Deployment> find(String id) {
        return Panache.getSession().flatMap(s -> s.createNativeQuery("SELECT id, symbol FROM deployment WHERE id = ?1", Object[].class)
                .setParameter(1, id).getResultList())
                .map(rows -> rows.isEmpty() ? null : new Deployment((String) rows.get(0)[0], (String) rows.get(0)[1]));
    }
}
