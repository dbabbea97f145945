package io.fomo.billing.catalog;

import java.time.Instant;
import java.util.Optional;

import io.fomo.shared.db.Tx;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The catalog's SQL: the {@code deployment} projection, its status (V11) and its price history ({@code deployment_price},
 * V11: version 0 follows the deployment row by a trigger, whoever inserts it).
 */
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

    /**
     * Applies a status if its version is above the stored one ({@code DeploymentStatus.isNewer}, in the WHERE clause:
     * one statement, no read-then-write race); 1 when applied, 0 when the deployment is unknown or the version is not
     * newer ({@link #statusVersion} tells which).
     */
    Uni<Integer> applyStatusIfNewer(Tx tx, String id, String status, long version, String reason, Instant changedAt) {
        return tx.update("""
                UPDATE deployment SET status = $2, status_version = $3, status_reason = $4, status_changed_at = $5,
                       status_applied_at = now()
                WHERE id = $1 AND status_version < $3""", id, status, version, reason, changedAt);
    }

    /** The stored status version of the deployment; empty when it is unknown. */
    Uni<Optional<Long>> statusVersion(Tx tx, String id) {
        return tx.first("SELECT status_version FROM deployment WHERE id = $1", id).map(o -> o.map(r -> r.longValue("status_version")));
    }

    /** The deployment's status and its version; empty when it is unknown. */
    public Uni<Optional<DeploymentStatusRow>> status(Tx tx, String id) {
        return tx.first("SELECT status, status_version FROM deployment WHERE id = $1", id)
                .map(o -> o.map(r -> new DeploymentStatusRow(r.string("status"), r.longValue("status_version"))));
    }

    /** A deployment's projected status. */
    public record DeploymentStatusRow(String status, long version) {
    }

    /** One price version as stored (USDC base units per 1M tokens). */
    record PriceRow(String deploymentId, long version, Instant effectiveFrom, long inputPrice, long outputPrice,
            long inputCost, long outputCost, Instant announcedAt) {
    }

    /**
     * Adds a price version of a known deployment; 1 when added, 0 when the deployment is unknown or this version is
     * already stored ({@link #statusVersion} tells which). A lower version arriving after a higher one is added
     * (PriceSchedule: the history does not depend on the arrival order).
     */
    Uni<Integer> insertPrice(Tx tx, PriceRow p) {
        return tx.update("""
                INSERT INTO deployment_price (deployment_id, version, effective_from, input_price, output_price, input_cost,
                                              output_cost, announced_at)
                SELECT $1, $2, $3, $4, $5, $6, $7, $8 WHERE EXISTS (SELECT 1 FROM deployment WHERE id = $1)
                ON CONFLICT (deployment_id, version) DO NOTHING""",
                p.deploymentId(), p.version(), p.effectiveFrom(), p.inputPrice(), p.outputPrice(), p.inputCost(),
                p.outputCost(), p.announcedAt());
    }
}
