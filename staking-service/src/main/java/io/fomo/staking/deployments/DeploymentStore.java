package io.fomo.staking.deployments;

import java.time.Instant;
import java.util.Optional;

import io.fomo.shared.db.Tx;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** All SQL of the live-model projection (table {@code deployment}). */
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
        return tx.first("SELECT id, symbol FROM deployment WHERE id = $1", id)
                .map(row -> row.map(r -> new Deployment(r.string("id"), r.string("symbol"))));
    }
}
