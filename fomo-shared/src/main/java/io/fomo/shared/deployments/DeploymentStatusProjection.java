package io.fomo.shared.deployments;

import java.util.Optional;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.shared.db.Tx;
import io.fomo.shared.events.AwaitingFact;
import io.fomo.shared.events.EventEnvelope;
import io.fomo.shared.events.Inbox;
import io.fomo.shared.events.InboxConsumer;
import io.fomo.shared.events.types.DeploymentStatusChanged;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;

/**
 * The one projection of rmo-service's {@link DeploymentStatusChanged} (SPEC §7a, issue #22), as
 * {@link DeploymentLiveProjection} is of {@code DeploymentLive}: billing's catalog, staking's and emission's deployments
 * extend it, keep their own table and their own {@code @Incoming} method, and supply {@link #storedVersion} and
 * {@link #store}.
 * <ul>
 *   <li><b>one validation</b> ({@link #validate}): a payload, a {@code deploymentId} of 1-128 characters, a known
 *       {@link DeploymentStatus}, a version of 1 or more (0 is the {@code DeploymentLive}), {@code changedAt}, a reason
 *       of at most 1000 characters, and a {@code lastEpoch} (≥ 0) only with DELISTED; otherwise an
 *       {@link IllegalArgumentException}: nothing written, the inbox records a dead letter;</li>
 *   <li>a deployment whose {@code DeploymentLive} this service has not applied yet: {@link AwaitingFact#deploymentLive},
 *       parked and applied once it has;</li>
 *   <li><b>one re-ordering rule</b> ({@link DeploymentStatus#isNewer}): only a version above the stored one is stored;
 *       an older or equal one (late, repeated) changes nothing, so no event undoes a newer status.</li>
 * </ul>
 * Everything runs on the inbox's {@link Tx}, so the projection row and the inbox row commit together.
 */
public abstract class DeploymentStatusProjection implements InboxConsumer {

    private static final Logger LOG = Logger.getLogger(DeploymentStatusProjection.class);
    static final int MAX_ID = DeploymentLiveProjection.MAX_ID;
    static final int MAX_REASON = 1000;

    @Inject
    ObjectMapper statusMapper;

    /** The consumer's stable inbox name. */
    protected abstract String name();

    /** The status version this service stored for the deployment, or empty when its DeploymentLive is not applied. */
    protected abstract Uni<Optional<Long>> storedVersion(Tx tx, String deploymentId);

    /** Stores the (validated, newer) status on {@code tx}. */
    protected abstract Uni<Void> store(Tx tx, String eventId, DeploymentStatusChanged event, DeploymentStatus status);

    @Override
    public void registerEffects(Inbox inbox) {
        inbox.register(name(), this::effect);
    }

    /** The inbox effect: {@code inbox.handle(name(), body, delivery, this::effect)}. */
    public Uni<Void> effect(Tx tx, EventEnvelope envelope) {
        return Uni.createFrom().deferred(() -> apply(tx, envelope.eventId(),
                envelope.payloadAs(statusMapper, DeploymentStatusChanged.class)));
    }

    /** Validates, then stores the event on {@code tx} if it is newer (see the class documentation). */
    public Uni<Void> apply(Tx tx, String eventId, DeploymentStatusChanged event) {
        DeploymentStatus status;
        try {
            status = validate(event);
        } catch (RuntimeException invalid) {
            return Uni.createFrom().failure(invalid);
        }
        String id = event.deploymentId();
        return storedVersion(tx, id).flatMap(stored -> {
            if (stored.isEmpty()) {
                return Uni.createFrom().failure(new AwaitingFact(AwaitingFact.deploymentLive(id),
                        "DeploymentStatusChanged " + eventId + " of " + id + " before its DeploymentLive"));
            }
            if (!DeploymentStatus.isNewer(event.version(), stored.get())) {
                LOG.debugf("%s: %s version %d of %s is not newer than %d; nothing to do", name(), eventId,
                        event.version(), id, stored.get());
                return Uni.createFrom().voidItem();
            }
            LOG.infof("%s: deployment %s is %s (version %d%s): %s", name(), id, status, event.version(),
                    event.lastEpoch() == null ? "" : ", last epoch " + event.lastEpoch(), event.reason());
            return store(tx, eventId, event, status);
        });
    }

    /** The event's status; an {@link IllegalArgumentException} (a dead letter) when the event is malformed. */
    public static DeploymentStatus validate(DeploymentStatusChanged e) {
        if (e == null) {
            throw new IllegalArgumentException("DeploymentStatusChanged without a payload");
        }
        String id = e.deploymentId();
        if (id == null || id.isBlank() || id.length() > MAX_ID) {
            throw new IllegalArgumentException("DeploymentStatusChanged: deploymentId is required (1-" + MAX_ID + " characters)");
        }
        String what = "DeploymentStatusChanged of " + id + ": ";
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
        if (e.reason() != null && e.reason().length() > MAX_REASON) {
            throw new IllegalArgumentException(what + "reason is longer than " + MAX_REASON + " characters");
        }
        if (e.lastEpoch() != null && (status != DeploymentStatus.DELISTED || e.lastEpoch() < 0)) {
            throw new IllegalArgumentException(what + "lastEpoch " + e.lastEpoch() + " is only for DELISTED, and >= 0");
        }
        return status;
    }
}
