package io.fomo.emission.deployments;

import java.time.Instant;
import java.util.Optional;

import io.fomo.shared.db.Tx;
import io.fomo.shared.events.types.DeploymentLive;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** The SQL of the {@code deployment} table (db/migration/V2__emission.sql): the DeploymentLive projection. */
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
}
