package io.fomo.rmo.deployment;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.fomo.shared.db.DbRow;
import io.fomo.shared.db.Tx;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** All SQL of the deployments and their hosting checks. */
@ApplicationScoped
public class DeploymentStore {

    /**
     * A deployment's columns, its prices the ones in force now (issue #22): the re-price with the greatest
     * {@code effective_from <= now()}, ties by the highest version, else the launch prices (version 0); joined by
     * {@link #FROM}.
     */
    static final String COLUMNS = """
            d.id, d.state, d.owner_id, d.display_name, d.model_id, d.base_url,
            COALESCE(p.input_price, d.input_price) AS input_price, COALESCE(p.output_price, d.output_price) AS output_price,
            d.input_cost, d.output_cost, d.symbol, d.offering_id, d.pool_id, d.live_at, d.check_ok, d.check_at,
            d.check_detail, d.created_at, d.status_version, d.consecutive_failures, d.suspended_at, d.status_reason,
            d.status_changed_at, d.delisted_at, d.last_epoch""";

    /** The deployment {@code d} and its re-price in force now {@code p} (if any). */
    static final String FROM = " FROM deployment d LEFT JOIN LATERAL (SELECT x.input_price, x.output_price"
            + " FROM deployment_price x WHERE x.deployment_id = d.id AND x.effective_from <= now()"
            + " ORDER BY x.effective_from DESC, x.version DESC LIMIT 1) p ON true";

    public Uni<Integer> insert(Tx tx, String id, String ownerId, DeploymentService.Registration r, Instant now) {
        return tx.update("""
                INSERT INTO deployment (id, owner_id, display_name, model_id, base_url, input_price, output_price,
                  input_cost, output_cost, state, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)""",
                id, ownerId, r.displayName(), r.modelId(), r.baseUrl(), r.inputPrice(), r.outputPrice(), r.inputCost(),
                r.outputCost(), DeploymentState.REGISTERED, now);
    }

    public Uni<Optional<DeploymentView>> find(Tx tx, String id) {
        return tx.first("SELECT " + COLUMNS + FROM + " WHERE d.id = $1", id)
                .map(r -> r.map(DeploymentStore::view));
    }

    /** Deployments ordered by id, after {@code after}, optionally only one owner's or one state's. */
    public Uni<List<DeploymentView>> list(Tx tx, String ownerId, String state, String after, int limit) {
        return tx.rows("SELECT " + COLUMNS + FROM + " WHERE d.owner_id LIKE $1 AND d.state LIKE $2"
                + " AND d.id > $3 ORDER BY d.id LIMIT $4", ownerId == null ? "%" : like(ownerId),
                state == null ? "%" : like(state), after == null ? "" : after, limit)
                .map(rows -> rows.stream().map(DeploymentStore::view).toList());
    }

    /** The deployment of a symbol: the live one if there is one. */
    public Uni<Optional<DeploymentView>> findBySymbol(Tx tx, String symbol) {
        return tx.first("SELECT " + COLUMNS + FROM + " WHERE d.symbol = $1 ORDER BY d.state = $2 DESC LIMIT 1",
                symbol, DeploymentState.LIVE).map(r -> r.map(DeploymentStore::view));
    }

    /** LIVE deployments ordered by id after {@code after} (keyset paging), optionally of one model. */
    public Uni<List<DeploymentView>> listLive(Tx tx, String modelId, String after, int limit) {
        // 'LIVE' as a literal: the partial index deployment_live matches only a literal predicate.
        return tx.rows("SELECT " + COLUMNS + FROM + " WHERE d.state = 'LIVE' AND d.model_id LIKE $1 AND d.id > $2"
                + " ORDER BY d.id LIMIT $3", modelId == null ? "%" : like(modelId), after, limit)
                .map(rows -> rows.stream().map(DeploymentStore::view).toList());
    }

    /** Records a check and makes it the deployment's latest (unless a later one was recorded meanwhile). */
    public Uni<Long> recordCheck(Tx tx, String deploymentId, HostingChecker.Result r, Instant at) {
        return tx.one("""
                INSERT INTO hosting_check (deployment_id, ok, http_status, detail, latency_ms, checked_at)
                VALUES ($1, $2, $3, $4, $5, $6) RETURNING id""",
                deploymentId, r.ok(), r.httpStatus(), r.detail(), r.latencyMs(), at)
                .flatMap(row -> tx.update("""
                        UPDATE deployment SET check_ok = $2, check_at = $3, check_detail = $4
                        WHERE id = $1 AND (check_at IS NULL OR check_at <= $3)""", deploymentId, r.ok(), at, r.detail())
                        .replaceWith(row.longValue("id")));
    }

    // ------------------------------------------------------------------ issue #22: status, re-checks

    /** What the status rules read of a deployment, locked ({@code FOR UPDATE}) for the rest of the transaction. */
    public record Locked(String id, String ownerId, DeploymentState state, int consecutiveFailures, long statusVersion,
            String baseUrl, String modelId, BigInteger inputCost, BigInteger outputCost) {
    }

    public Uni<Optional<Locked>> lock(Tx tx, String id) {
        return tx.first("""
                SELECT id, owner_id, state, consecutive_failures, status_version, base_url, model_id, input_cost, output_cost
                FROM deployment WHERE id = $1 FOR UPDATE""", id)
                .map(o -> o.map(r -> new Locked(r.string("id"), r.string("owner_id"), DeploymentState.valueOf(r.string("state")),
                        r.intValue("consecutive_failures"), r.longValue("status_version"), r.string("base_url"),
                        r.string("model_id"), r.units("input_cost"), r.units("output_cost"))));
    }

    public Uni<Integer> setConsecutiveFailures(Tx tx, String id, int failures) {
        return tx.update("UPDATE deployment SET consecutive_failures = $2 WHERE id = $1", id, failures);
    }

    /**
     * Moves the deployment from {@code from} to {@code to} and counts the change ({@code status_version + 1}); the new
     * version, or empty when it is not in {@code from} any more.
     */
    public Uni<Optional<Long>> moveStatus(Tx tx, String id, DeploymentState from, DeploymentState to, String reason,
            Instant at, Long lastEpoch) {
        return tx.first("""
                UPDATE deployment SET state = $3, status_version = status_version + 1, status_changed_at = $4,
                  status_reason = $5,
                  suspended_at = CASE WHEN $3 = 'SUSPENDED' THEN $4 WHEN $3 = 'LIVE' THEN NULL ELSE suspended_at END,
                  delisted_at = CASE WHEN $3 = 'DELISTED' THEN $4 ELSE delisted_at END,
                  last_epoch = CASE WHEN $3 = 'DELISTED' THEN CAST($6 AS bigint) ELSE last_epoch END
                WHERE id = $1 AND state = $2 RETURNING status_version""",
                id, from, to, at, reason, lastEpoch).map(o -> o.map(r -> r.longValue("status_version")));
    }

    /** A deployment due for its scheduled re-check, claimed (its lease {@code next_check_at} moved one interval on). */
    public record Due(String id, String baseUrl, String modelId) {
    }

    /**
     * Claims up to {@code limit} LIVE or SUSPENDED deployments whose re-check is due ({@code next_check_at} passed or
     * never set): {@code FOR UPDATE SKIP LOCKED}, so two replicas never claim the same one; the claim moves
     * {@code next_check_at} to {@code now + interval}, which is both the lease and the next due time.
     */
    public Uni<List<Due>> claimDue(Tx tx, Instant now, Instant next, int limit) {
        return tx.rows("""
                UPDATE deployment d SET next_check_at = $2 FROM (
                  SELECT id FROM deployment WHERE state IN ('LIVE', 'SUSPENDED')
                    AND (next_check_at IS NULL OR next_check_at <= $1)
                  ORDER BY next_check_at NULLS FIRST, id LIMIT $3 FOR UPDATE SKIP LOCKED) due
                WHERE d.id = due.id RETURNING d.id, d.base_url, d.model_id""", now, next, limit)
                .map(rows -> rows.stream().map(r -> new Due(r.string("id"), r.string("base_url"), r.string("model_id")))
                        .toList());
    }

    /** The deployment's hosting checks, newest first, those with an id below {@code before} (keyset paging). */
    public Uni<List<DeploymentView.HostingCheckView>> checks(Tx tx, String deploymentId, long before, int limit) {
        return tx.rows("""
                SELECT id, deployment_id, ok, http_status, detail, latency_ms, checked_at FROM hosting_check
                WHERE deployment_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3""", deploymentId, before, limit)
                .map(rows -> rows.stream().map(r -> new DeploymentView.HostingCheckView(r.longValue("id"),
                        r.string("deployment_id"), r.bool("ok"), r.intValue("http_status"), r.string("detail"),
                        r.longValue("latency_ms"), r.instant("checked_at"))).toList());
    }

    public Uni<Boolean> exists(Tx tx, String id) {
        return tx.first("SELECT 1 FROM deployment WHERE id = $1", id).map(Optional::isPresent);
    }

    /** A literal for LIKE (its wildcards escaped). */
    public static String like(String literal) {
        return literal.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    static DeploymentView view(DbRow r) {
        DeploymentView.HostingCheckView check = r.isNull("check_at") ? null
                : new DeploymentView.HostingCheckView(null, null, r.bool("check_ok"), null, r.string("check_detail"),
                        null, r.instant("check_at"));
        return new DeploymentView(r.string("id"), r.string("state"), r.string("owner_id"), r.string("display_name"),
                r.string("model_id"), r.string("base_url"), usdc(r.units("input_price")), usdc(r.units("output_price")),
                usdc(r.units("input_cost")), usdc(r.units("output_cost")), r.string("symbol"), r.string("offering_id"),
                r.string("pool_id"), r.instant("live_at"), check, r.instant("created_at"), r.longValue("status_version"),
                r.intValue("consecutive_failures"), r.instant("suspended_at"), r.string("status_reason"),
                r.instant("status_changed_at"), r.instant("delisted_at"), r.longValue("last_epoch"));
    }

    private static String usdc(BigInteger units) {
        return Amount.ofUnits(Token.USDC, units).toDecimalString();
    }
}
