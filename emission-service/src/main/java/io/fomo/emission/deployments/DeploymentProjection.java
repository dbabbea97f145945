package io.fomo.emission.deployments;

import java.time.ZoneOffset;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.emission.epochs.EmissionProcessor;
import io.fomo.shared.events.Inbox;
import io.fomo.shared.events.types.DeploymentLive;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.rabbitmq.IncomingRabbitMQMetadata;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Projection of rmo-service's {@code DeploymentLive}: who owns a model (the owner part of its emission goes to their
 * FLOCK USER account) and when it went live (its age at an epoch's start, SPEC §7). A deployment goes live once, so
 * the first announcement wins ({@code ON CONFLICT DO NOTHING}). After it commits, epochs that waited for this
 * deployment are resumed.
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
    EmissionProcessor processor;

    @Incoming("deployment-live")
    public Uni<Void> consume(JsonObject body, IncomingRabbitMQMetadata delivery) {
        return inbox.handle(CONSUMER, body, delivery, envelope -> apply(envelope.eventId(), envelope.payloadAs(mapper, DeploymentLive.class)))
                .invoke(() -> processor.kickWaiting());
    }

    /** Records the deployment; call inside a Hibernate Reactive transaction. */
    public Uni<Void> apply(String eventId, DeploymentLive d) {
        if (d.deploymentId() == null || d.deploymentId().isBlank() || d.ownerId() == null || d.ownerId().isBlank()
                || d.liveAt() == null) {
            return Uni.createFrom().failure(new IllegalArgumentException(
                    "DeploymentLive " + eventId + " lacks deploymentId, ownerId or liveAt"));
        }
        return Panache.getSession().flatMap(s -> s.createNativeQuery("""
                INSERT INTO deployment (id, owner_id, symbol, live_at, event_id) VALUES (?1, ?2, ?3, ?4, ?5)
                ON CONFLICT (id) DO NOTHING""")
                .setParameter(1, d.deploymentId()).setParameter(2, d.ownerId()).setParameter(3, d.symbol())
                .setParameter(4, d.liveAt().atOffset(ZoneOffset.UTC)).setParameter(5, eventId)
                .executeUpdate())
                .invoke(n -> {
                    if (n == 0) {
                        LOG.infof("DeploymentLive %s: deployment %s was projected before; kept the first", eventId, d.deploymentId());
                    }
                })
                .replaceWithVoid();
    }
}
