package io.fomo.rmo.deployment;

import java.math.BigInteger;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.hibernate.reactive.mutiny.Mutiny;

import io.fomo.rmo.Sql;
import io.fomo.shared.web.ProblemException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Deployments and their hosting checks in the database (SPEC §3 "Deployment"). */
@ApplicationScoped
public class DeploymentService {

    static final String COLUMNS = """
            d.id, d.state, d.owner_id, d.display_name, d.model_id, d.base_url, d.input_price, d.output_price,
            d.input_cost, d.output_cost, d.symbol, d.offering_id, d.pool_id, d.live_at, d.check_ok, d.check_at,
            d.check_detail, d.created_at""";

    /** A validated registration; prices and costs in USDC base units per 1M tokens. */
    public record Registration(String displayName, String modelId, String baseUrl, BigInteger inputPrice,
            BigInteger outputPrice, BigInteger inputCost, BigInteger outputCost) {
    }

    /** Inside the caller's transaction. */
    public Uni<DeploymentView> register(Mutiny.Session s, String ownerId, Registration r) {
        String id = UUID.randomUUID().toString();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return s.createNativeQuery("""
                INSERT INTO deployment (id, owner_id, display_name, model_id, base_url, input_price, output_price,
                  input_cost, output_cost, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)""")
                .setParameter(1, id).setParameter(2, ownerId).setParameter(3, r.displayName())
                .setParameter(4, r.modelId()).setParameter(5, r.baseUrl()).setParameter(6, Sql.dec(r.inputPrice()))
                .setParameter(7, Sql.dec(r.outputPrice())).setParameter(8, Sql.dec(r.inputCost()))
                .setParameter(9, Sql.dec(r.outputCost())).setParameter(10, Sql.ts(now)).executeUpdate()
                .replaceWith(new DeploymentView(id, "REGISTERED", ownerId, r.displayName(), r.modelId(), r.baseUrl(),
                        Sql.usdc(r.inputPrice()), Sql.usdc(r.outputPrice()), Sql.usdc(r.inputCost()),
                        Sql.usdc(r.outputCost()), null, null, null, null, null, now));
    }

    public Uni<DeploymentView> find(String id) {
        return Panache.withSession(() -> Panache.getSession().flatMap(s -> find(s, id)));
    }

    public Uni<DeploymentView> find(Mutiny.Session s, String id) {
        return s.createNativeQuery("SELECT " + COLUMNS + " FROM deployment d WHERE d.id = ?1", Object[].class)
                .setParameter(1, id).getResultList()
                .map(rows -> {
                    if (rows.isEmpty()) {
                        throw ProblemException.notFound("DEPLOYMENT_NOT_FOUND", "no deployment " + id);
                    }
                    return view(rows.get(0));
                });
    }

    /** Deployments ordered by id, after {@code after}, optionally only one owner's or one state's. */
    public Uni<List<DeploymentView>> list(String ownerId, String state, String after, int limit) {
        return Panache.withSession(() -> Panache.getSession().flatMap(s -> s.createNativeQuery("SELECT " + COLUMNS
                + " FROM deployment d WHERE d.owner_id LIKE ?1 AND d.state LIKE ?2"
                + " AND d.id > ?3 ORDER BY d.id LIMIT ?4", Object[].class)
                .setParameter(1, ownerId == null ? "%" : like(ownerId)).setParameter(2, state == null ? "%" : like(state))
                .setParameter(3, after == null ? "" : after).setParameter(4, limit).getResultList()
                .map(rows -> {
                    List<DeploymentView> out = new ArrayList<>();
                    for (Object[] r : rows) {
                        out.add(view(r));
                    }
                    return out;
                })));
    }

    public Uni<DeploymentView> findBySymbol(String symbol) {
        return Panache.withSession(() -> Panache.getSession().flatMap(s -> s.createNativeQuery("SELECT " + COLUMNS
                + " FROM deployment d WHERE d.symbol = ?1 ORDER BY d.state = 'LIVE' DESC LIMIT 1", Object[].class)
                .setParameter(1, symbol).getResultList()
                .map(rows -> {
                    if (rows.isEmpty()) {
                        throw ProblemException.notFound("DEPLOYMENT_NOT_FOUND", "no deployment with symbol " + symbol);
                    }
                    return view(rows.get(0));
                })));
    }

    /** LIVE deployments ordered by id after {@code after} (keyset paging). */
    public Uni<List<DeploymentView>> listLive(String modelId, String after, int limit) {
        return Panache.withSession(() -> Panache.getSession().flatMap(s -> s.createNativeQuery("SELECT " + COLUMNS
                + " FROM deployment d WHERE d.state = 'LIVE' AND d.model_id LIKE ?1 AND d.id > ?2"
                + " ORDER BY d.id LIMIT ?3", Object[].class)
                .setParameter(1, modelId == null ? "%" : like(modelId)).setParameter(2, after).setParameter(3, limit).getResultList()
                .map(rows -> {
                    List<DeploymentView> out = new ArrayList<>();
                    for (Object[] r : rows) {
                        out.add(view(r));
                    }
                    return out;
                })));
    }

    public Uni<DeploymentView.HostingCheckView> recordCheck(String deploymentId, HostingChecker.Result r) {
        Instant at = r.checkedAt().truncatedTo(ChronoUnit.MICROS);
        return Panache.withTransaction(() -> Panache.getSession().flatMap(s -> s.createNativeQuery("""
                INSERT INTO hosting_check (deployment_id, ok, http_status, detail, latency_ms, checked_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id""", Long.class)
                .setParameter(1, deploymentId).setParameter(2, r.ok()).setParameter(3, r.httpStatus())
                .setParameter(4, r.detail()).setParameter(5, r.latencyMs()).setParameter(6, Sql.ts(at))
                .getSingleResult()
                .flatMap(id -> s.createNativeQuery("""
                        UPDATE deployment SET check_ok = ?2, check_at = ?3, check_detail = ?4
                        WHERE id = ?1 AND (check_at IS NULL OR check_at <= ?3)""")
                        .setParameter(1, deploymentId).setParameter(2, r.ok()).setParameter(3, Sql.ts(at))
                        .setParameter(4, r.detail()).executeUpdate()
                        .replaceWith(new DeploymentView.HostingCheckView(id, deploymentId, r.ok(), r.httpStatus(),
                                r.detail(), r.latencyMs(), at)))));
    }

    /** A literal for LIKE (its wildcards escaped). */
    public static String like(String literal) {
        return literal.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    static DeploymentView view(Object[] r) {
        DeploymentView.HostingCheckView check = r[15] == null ? null
                : new DeploymentView.HostingCheckView(null, null, (Boolean) r[14], null, (String) r[16], null,
                        Sql.instant(r[15]));
        return new DeploymentView((String) r[0], (String) r[1], (String) r[2], (String) r[3], (String) r[4],
                (String) r[5], Sql.usdc(Sql.big(r[6])), Sql.usdc(Sql.big(r[7])), Sql.usdc(Sql.big(r[8])),
                Sql.usdc(Sql.big(r[9])), (String) r[10], (String) r[11], (String) r[12], Sql.instant(r[13]), check,
                Sql.instant(r[17]));
    }
}
