package io.fomo.rmo.deployment;

import java.time.Instant;

import io.fomo.shared.db.Tx;
import io.fomo.shared.events.Outbox;
import io.fomo.shared.events.types.DeploymentStatusChanged;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The one way a live deployment's status changes (issue #22): in the caller's transaction, the state moves (only
 * along {@link DeploymentState#canMoveTo}), {@code status_version} goes up by one, and {@code DeploymentStatusChanged}
 * with that version goes into the outbox under {@link DeploymentStatusChanged#eventIdOf} (so the same change can
 * never be announced twice).
 */
@ApplicationScoped
public class StatusTransitions {

    @Inject
    DeploymentStore store;

    @Inject
    Outbox outbox;

    /** The change's version; fails ({@link IllegalStateException}) when the deployment is not in {@code from}. */
    public Uni<Long> move(Tx tx, String id, DeploymentState from, DeploymentState to, String reason, Instant at,
            Long lastEpoch) {
        if (!from.canMoveTo(to) || to.status().isEmpty()) {
            return Uni.createFrom().failure(new IllegalStateException("deployment " + id + ": " + from + " cannot move to " + to));
        }
        return store.moveStatus(tx, id, from, to, reason, at, to == DeploymentState.DELISTED ? lastEpoch : null)
                .flatMap(v -> {
                    long version = v.orElseThrow(() -> new IllegalStateException("deployment " + id + " is no longer " + from));
                    return outbox.enqueue(tx, DeploymentStatusChanged.eventIdOf(id, version),
                            new DeploymentStatusChanged(id, to.name(), version, reason, at,
                                    to == DeploymentState.DELISTED ? lastEpoch : null))
                            .replaceWith(version);
                });
    }
}
