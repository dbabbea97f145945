package io.fomo.billing.catalog;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.shared.db.Db;
import io.fomo.shared.db.Tx;
import io.fomo.shared.deployments.DeploymentStatus;
import io.fomo.shared.events.AwaitingFact;
import io.fomo.shared.events.EventEnvelope;
import io.fomo.shared.events.Inbox;
import io.fomo.shared.events.InboxConsumer;
import io.fomo.shared.events.types.DeploymentStatusChanged;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.rabbitmq.IncomingRabbitMQMetadata;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Projection of rmo-service's {@code DeploymentStatusChanged} (SPEC §7a, issue #22) into {@code deployment.status}:
 * Authorize takes new holds only for a LIVE deployment ({@link DeploymentStatus#takesAuthorizations}), and the
 * wind-down works on DELISTING ones ({@code settlement.WindDownService}).
 * <ul>
 * <li>malformed (no deploymentId, unknown status, version &lt; 1, no changedAt) → {@link IllegalArgumentException}:
 *     nothing written, the inbox records a dead letter;</li>
 * <li>unknown deployment → {@link AwaitingFact#deploymentLive}: parked until its {@code DeploymentLive} is applied
 *     (the {@link Catalog} wakes it), then applied;</li>
 * <li>a version not above the stored one ({@link DeploymentStatus#isNewer}; {@code DeploymentLive} stored LIVE at 0)
 *     → nothing (a late or repeated event never undoes a newer status);</li>
 * <li>else the status, its version, reason and times are stored. DELISTED changes only that.</li>
 * </ul>
 * A re-delivery of one event id is absorbed by the inbox; the update runs in the inbox's transaction.
 */
@ApplicationScoped
public class DeploymentStatuses implements InboxConsumer {

    private static final Logger LOG = Logger.getLogger(DeploymentStatuses.class);
    public static final String CONSUMER = "billing.deployment-status";

    @Inject
    Inbox inbox;

    @Inject
    ObjectMapper mapper;

    @Inject
    Db db;

    @Inject
    CatalogStore store;

    @Incoming("deployment-status-changed")
    public Uni<Void> consume(JsonObject body, IncomingRabbitMQMetadata delivery) {
        return inbox.handle(CONSUMER, body, delivery, this::effect);
    }

    @Override
    public void registerEffects(Inbox inbox) {
        inbox.register(CONSUMER, this::effect);
    }

    Uni<Void> effect(Tx tx, EventEnvelope envelope) {
        return Uni.createFrom().deferred(() -> apply(tx, envelope.payloadAs(mapper, DeploymentStatusChanged.class)));
    }

    /** Applies the event in a transaction of its own (or the caller's, which it joins): fixtures and tests. */
    public Uni<Void> apply(DeploymentStatusChanged e) {
        return db.transaction(tx -> apply(tx, e));
    }

    /** Validates, then applies the event on {@code tx} if it is newer (see the class documentation). */
    public Uni<Void> apply(Tx tx, DeploymentStatusChanged e) {
        DeploymentStatus status;
        try {
            status = validate(e);
        } catch (RuntimeException invalid) {
            return Uni.createFrom().failure(invalid);
        }
        return store.applyStatusIfNewer(tx, e.deploymentId(), status.name(), e.version(), e.reason(), e.changedAt())
                .flatMap(updated -> {
                    if (updated == 1) {
                        LOG.infof("deployment %s is %s (version %d: %s)", e.deploymentId(), status, e.version(), e.reason());
                        return Uni.createFrom().voidItem();
                    }
                    return store.statusVersion(tx, e.deploymentId()).map(stored -> {
                        if (stored.isEmpty()) {
                            throw new AwaitingFact(AwaitingFact.deploymentLive(e.deploymentId()), "DeploymentStatusChanged "
                                    + e.version() + " of " + e.deploymentId() + " waits for its DeploymentLive");
                        }
                        LOG.debugf("deployment %s: status version %d is not newer than %d; nothing to do", e.deploymentId(),
                                e.version(), stored.get());
                        return null;
                    });
                });
    }

    /** The event's status; an {@link IllegalArgumentException} when the event is malformed. */
    static DeploymentStatus validate(DeploymentStatusChanged e) {
        if (e == null) {
            throw new IllegalArgumentException("DeploymentStatusChanged without a payload");
        }
        Catalog.requireDeploymentId("DeploymentStatusChanged", e.deploymentId());
        String what = "DeploymentStatusChanged of " + e.deploymentId() + ": ";
        DeploymentStatus status;
        try {
            status = DeploymentStatus.parse(e.status());
        } catch (IllegalArgumentException bad) {
            throw new IllegalArgumentException(what + bad.getMessage());
        }
        if (e.version() < 1) {
            throw new IllegalArgumentException(what + "version must be 1 or more (0 is the DeploymentLive), was " + e.version());
        }
        if (e.changedAt() == null) {
            throw new IllegalArgumentException(what + "changedAt is required");
        }
        if (e.reason() != null && e.reason().length() > 1000) {
            throw new IllegalArgumentException(what + "reason is longer than 1000 characters");
        }
        return status;
    }
}
