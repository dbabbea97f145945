package io.fomo.billing.catalog;

import java.time.Instant;
import java.util.Optional;

import io.fomo.shared.db.Tx;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** The catalog's SQL: the {@code deployment} projection. */
@ApplicationScoped
public class CatalogStore {

    /** A deployment row as the projection stores it (prices and costs in USDC base units per 1M tokens). */
    record LiveDeployment(String id, String symbol, String ownerId, String modelId, long inputPrice, long outputPrice,
            long inputCost, long outputCost, Instant liveAt, String poolId) {
    }

    Uni<Optional<LiveDeployment>> find(Tx tx, String id) {
        return tx.first("""
                SELECT id, symbol, owner_id, model_id, input_price, output_price, input_cost, output_cost, live_at, pool_id
                FROM deployment WHERE id = $1""", id)
                .map(o -> o.map(r -> new LiveDeployment(r.string("id"), r.string("symbol"), r.string("owner_id"),
                        r.string("model_id"), r.longValue("input_price"), r.longValue("output_price"), r.longValue("input_cost"),
                        r.longValue("output_cost"), r.instant("live_at"), r.string("pool_id"))));
    }

    /** Inserts a new live deployment (the projection's first announcement wins: no upsert). */
    Uni<Integer> insert(Tx tx, LiveDeployment d) {
        return tx.update("""
                INSERT INTO deployment (id, symbol, owner_id, model_id, input_price, output_price, input_cost, output_cost, live_at, pool_id)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)""",
                d.id(), d.symbol(), d.ownerId(), d.modelId(), d.inputPrice(), d.outputPrice(), d.inputCost(), d.outputCost(),
                d.liveAt(), d.poolId());
    }
}
