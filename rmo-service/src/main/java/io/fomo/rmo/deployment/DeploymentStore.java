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

    static final String COLUMNS = """
            d.id, d.state, d.owner_id, d.display_name, d.model_id, d.base_url, d.input_price, d.output_price,
            d.input_cost, d.output_cost, d.symbol, d.offering_id, d.pool_id, d.live_at, d.check_ok, d.check_at,
            d.check_detail, d.created_at""";

    public Uni<Integer> insert(Tx tx, String id, String ownerId, DeploymentService.Registration r, Instant now) {
        return tx.update("""
                INSERT INTO deployment (id, owner_id, display_name, model_id, base_url, input_price, output_price,
                  input_cost, output_cost, state, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)""",
                id, ownerId, r.displayName(), r.modelId(), r.baseUrl(), r.inputPrice(), r.outputPrice(), r.inputCost(),
                r.outputCost(), DeploymentState.REGISTERED, now);
    }

    public Uni<Optional<DeploymentView>> find(Tx tx, String id) {
        return tx.first("SELECT " + COLUMNS + " FROM deployment d WHERE d.id = $1", id)
                .map(r -> r.map(DeploymentStore::view));
    }

    /** Deployments ordered by id, after {@code after}, optionally only one owner's or one state's. */
    public Uni<List<DeploymentView>> list(Tx tx, String ownerId, String state, String after, int limit) {
        return tx.rows("SELECT " + COLUMNS + " FROM deployment d WHERE d.owner_id LIKE $1 AND d.state LIKE $2"
                + " AND d.id > $3 ORDER BY d.id LIMIT $4", ownerId == null ? "%" : like(ownerId),
                state == null ? "%" : like(state), after == null ? "" : after, limit)
                .map(rows -> rows.stream().map(DeploymentStore::view).toList());
    }

    /** The deployment of a symbol: the live one if there is one. */
    public Uni<Optional<DeploymentView>> findBySymbol(Tx tx, String symbol) {
        return tx.first("SELECT " + COLUMNS + " FROM deployment d WHERE d.symbol = $1 ORDER BY d.state = $2 DESC LIMIT 1",
                symbol, DeploymentState.LIVE).map(r -> r.map(DeploymentStore::view));
    }

    /** LIVE deployments ordered by id after {@code after} (keyset paging), optionally of one model. */
    public Uni<List<DeploymentView>> listLive(Tx tx, String modelId, String after, int limit) {
        // 'LIVE' as a literal: the partial index deployment_live matches only a literal predicate.
        return tx.rows("SELECT " + COLUMNS + " FROM deployment d WHERE d.state = 'LIVE' AND d.model_id LIKE $1 AND d.id > $2"
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
                r.string("pool_id"), r.instant("live_at"), check, r.instant("created_at"));
    }

    private static String usdc(BigInteger units) {
        return Amount.ofUnits(Token.USDC, units).toDecimalString();
    }
}
