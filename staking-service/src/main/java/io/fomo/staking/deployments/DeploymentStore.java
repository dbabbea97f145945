package io.fomo.staking.deployments;

import java.time.Instant;
import java.util.Optional;

import io.fomo.shared.db.Tx;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** All SQL of the live-model projection (table {@code deployment}). */
@ApplicationScoped
public class DeploymentStore {

    public Uni<Void> upsert(Tx tx, String id, String symbol, String ownerId, Instant liveAt) {
        return tx.update("""
                INSERT INTO deployment (id, symbol, owner_id, live_at) VALUES ($1, $2, $3, $4)
                ON CONFLICT (id) DO UPDATE SET symbol = EXCLUDED.symbol, owner_id = EXCLUDED.owner_id, live_at = EXCLUDED.live_at""",
                id, symbol, ownerId, liveAt).replaceWithVoid();
    }

    public Uni<Optional<LiveDeployments.Deployment>> find(Tx tx, String id) {
        return tx.first("SELECT id, symbol FROM deployment WHERE id = $1", id)
                .map(row -> row.map(r -> new LiveDeployments.Deployment(r.string("id"), r.string("symbol"))));
    }
}
