package io.fomo.emission.deployments;

import java.time.Instant;
import java.util.Optional;

import io.fomo.shared.db.Tx;
import io.fomo.shared.events.types.DeploymentLive;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The SQL of the {@code deployment} table (db/migration/V2__emission.sql, V5__deployment_status.sql): the DeploymentLive
 * projection and the status rmo reported since (DeploymentStatusChanged).
 */
@ApplicationScoped
public class DeploymentStore {

    /** A projected deployment as the table keeps it. */
    public record Deployment(String id, String symbol, String ownerId, Instant liveAt) {
    }

    public Uni<Optional<Deployment>> find(Tx tx, String id) {
        return tx.first("SELECT id, symbol, owner_id, live_at FROM deployment WHERE id = $1", id)
                .map(found -> found.map(r -> new Deployment(r.string("id"), r.string("symbol"), r.string("owner_id"),
                        r.instant("live_at"))));
    }

    /** Records a deployment the projection does not know yet (the primary key keeps a racing second insert out). */
    public Uni<Void> insert(Tx tx, String eventId, DeploymentLive d) {
        return tx.update("""
                INSERT INTO deployment (id, owner_id, symbol, live_at, event_id) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (id) DO NOTHING""", d.deploymentId(), d.ownerId(), d.symbol(), d.liveAt(), eventId)
                .replaceWithVoid();
    }

    /** A projected deployment's status, its version and (DELISTED) last epoch. */
    public record Status(String status, long version, Long lastEpoch) {
    }

    public Uni<Optional<Status>> status(Tx tx, String id) {
        return tx.first("SELECT status, status_version, last_epoch FROM deployment WHERE id = $1 FOR UPDATE", id)
                .map(found -> found.map(r -> new Status(r.string("status"), r.longValue("status_version"),
                        r.longValue("last_epoch"))));
    }

    /** Stores a newer status (the caller checked the version; the condition keeps a racing older one out). */
    public Uni<Boolean> updateStatus(Tx tx, String id, String status, long version, Long lastEpoch, String eventId,
            Instant changedAt) {
        return tx.update("""
                UPDATE deployment SET status = $2, status_version = $3, last_epoch = $4::bigint, status_event_id = $5,
                  status_changed_at = $6
                WHERE id = $1 AND status_version < $3""", id, status, version, lastEpoch, eventId, changedAt)
                .map(n -> n == 1);
    }
}
