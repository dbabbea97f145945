package io.fomo.staking.deployments;

import java.time.Instant;
import java.util.Optional;

import io.fomo.shared.db.Tx;
import io.fomo.shared.deployments.DeploymentStatus;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * All SQL of the live-model projection (table {@code deployment}: DeploymentLive, and since issue #22 the status of
 * DeploymentStatusChanged, V3__deployment_status.sql).
 */
@ApplicationScoped
public class DeploymentStore {

    /** What the projection keeps of a {@code DeploymentLive}. */
    public record Stored(String id, String symbol, String ownerId, Instant liveAt) {
    }

    public Uni<Void> insert(Tx tx, String id, String symbol, String ownerId, Instant liveAt) {
        return tx.update("INSERT INTO deployment (id, symbol, owner_id, live_at) VALUES ($1, $2, $3, $4)", id, symbol, ownerId, liveAt)
                .replaceWithVoid();
    }

    public Uni<Optional<Stored>> stored(Tx tx, String id) {
        return tx.first("SELECT id, symbol, owner_id, live_at FROM deployment WHERE id = $1", id)
                .map(row -> row.map(r -> new Stored(r.string("id"), r.string("symbol"), r.string("owner_id"), r.instant("live_at"))));
    }

    /** The live deployment (a model staking knows), or empty. */
    public Uni<Optional<Deployment>> live(Tx tx, String id) {
        return tx.first("SELECT id, symbol, status FROM deployment WHERE id = $1", id)
                .map(row -> row.map(r -> new Deployment(r.string("id"), r.string("symbol"),
                        DeploymentStatus.parse(r.string("status")))));
    }

    /** A projected deployment's status, its version and (DELISTED) last epoch. */
    public record Status(DeploymentStatus status, long version, Long lastEpoch) {
    }

    public Uni<Optional<Status>> status(Tx tx, String id) {
        return tx.first("SELECT status, status_version, last_epoch FROM deployment WHERE id = $1 FOR UPDATE", id)
                .map(found -> found.map(r -> new Status(DeploymentStatus.parse(r.string("status")),
                        r.longValue("status_version"), r.longValue("last_epoch"))));
    }

    /** Stores a newer status (the caller checked the version; the condition keeps a racing older one out). */
    public Uni<Boolean> updateStatus(Tx tx, String id, DeploymentStatus status, long version, Long lastEpoch,
            String eventId, Instant changedAt) {
        return tx.update("""
                UPDATE deployment SET status = $2, status_version = $3, last_epoch = $4::bigint, status_event_id = $5,
                  status_changed_at = $6
                WHERE id = $1 AND status_version < $3""", id, status.name(), version, lastEpoch, eventId, changedAt)
                .map(n -> n == 1);
    }
}
