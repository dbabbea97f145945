package io.fomo.rmo.offering;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.hibernate.reactive.mutiny.Mutiny;

import io.fomo.rmo.Sql;
import io.fomo.shared.web.ProblemException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Offerings in the database: create, open, cancel (the close itself is {@code close.CloseRunner}). */
@ApplicationScoped
public class OfferingService {

    @ConfigProperty(name = "fomo.rmo.hosting-check.max-age", defaultValue = "PT1H")
    Duration hostingCheckMaxAge;

    public Uni<OfferingRow> load(Mutiny.Session s, String id, String lock) {
        return s.createNativeQuery("SELECT " + OfferingRow.COLUMNS + " FROM offering WHERE id = ?1"
                + (lock == null ? "" : " " + lock), Object[].class).setParameter(1, id).getResultList()
                .map(rows -> {
                    if (rows.isEmpty()) {
                        throw ProblemException.notFound("OFFERING_NOT_FOUND", "no offering " + id);
                    }
                    return OfferingRow.of(rows.get(0));
                });
    }

    /** Creates a DRAFT offering for the caller's own deployment. Inside the caller's transaction. */
    public Uni<OfferingView> create(Mutiny.Session s, String ownerId, String deploymentId, OfferingTerms t) {
        String id = UUID.randomUUID().toString();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return s.createNativeQuery("SELECT owner_id, state FROM deployment WHERE id = ?1 FOR UPDATE", Object[].class)
                .setParameter(1, deploymentId).getResultList()
                .flatMap(rows -> {
                    if (rows.isEmpty()) {
                        throw ProblemException.notFound("DEPLOYMENT_NOT_FOUND", "no deployment " + deploymentId);
                    }
                    if (!ownerId.equals(rows.get(0)[0])) {
                        throw ProblemException.forbidden("only the deployment's owner may offer its token");
                    }
                    if (!"REGISTERED".equals(rows.get(0)[1])) {
                        throw ProblemException.conflict("DEPLOYMENT_BUSY",
                                "the deployment already has an offering in progress or is live");
                    }
                    return s.createNativeQuery("SELECT count(*) FROM offering WHERE symbol = ?1 AND state NOT IN ('FAILED', 'CANCELLED')",
                            Long.class).setParameter(1, t.symbol()).getSingleResult();
                })
                .flatMap(taken -> {
                    if (taken > 0) {
                        throw ProblemException.conflict("SYMBOL_TAKEN", "symbol " + t.symbol() + " is taken");
                    }
                    return s.createNativeQuery("""
                            INSERT INTO offering (id, deployment_id, owner_id, symbol, price, opens_at, closes_at, supply,
                              sale_quantity, hard_cap, soft_cap, min_contribution, max_contribution, alloc_sale,
                              alloc_liquidity, alloc_incentives, alloc_operator, alloc_treasury, uof_liquidity,
                              uof_staking, uof_protocol, vesting_cliff_s, vesting_duration_s, lp_lock_s, state, created_at)
                            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,
                              ?20, ?21, ?22, ?23, ?24, 'DRAFT', ?25)""")
                            .setParameter(1, id).setParameter(2, deploymentId).setParameter(3, ownerId)
                            .setParameter(4, t.symbol()).setParameter(5, Sql.dec(t.price()))
                            .setParameter(6, Sql.ts(t.opensAt())).setParameter(7, Sql.ts(t.closesAt()))
                            .setParameter(8, Sql.dec(OfferingTerms.SUPPLY)).setParameter(9, Sql.dec(t.saleQuantity()))
                            .setParameter(10, Sql.dec(t.hardCap())).setParameter(11, Sql.dec(t.effectiveSoftCap()))
                            .setParameter(12, Sql.dec(t.minContribution())).setParameter(13, Sql.dec(t.maxContribution()))
                            .setParameter(14, t.allocation().sale()).setParameter(15, t.allocation().liquidity())
                            .setParameter(16, t.allocation().incentives()).setParameter(17, t.allocation().operator())
                            .setParameter(18, t.allocation().treasury()).setParameter(19, t.useOfFunds().liquidity())
                            .setParameter(20, t.useOfFunds().staking()).setParameter(21, t.useOfFunds().protocol())
                            .setParameter(22, t.vestingCliff().getSeconds()).setParameter(23, t.vestingDuration().getSeconds())
                            .setParameter(24, t.lpLock().getSeconds()).setParameter(25, Sql.ts(now)).executeUpdate()
                            // The check above and a concurrent creation can both see the symbol free; the unique
                            // index decides, and the loser is told so (issue #17: a symbol race answers 409).
                            .onFailure(OfferingService::symbolRace).transform(e -> ProblemException.conflict(
                                    "SYMBOL_TAKEN", "symbol " + t.symbol() + " is taken"));
                })
                .flatMap(x -> s.createNativeQuery("UPDATE deployment SET state = 'OFFERING', symbol = ?2, offering_id = ?3 WHERE id = ?1")
                        .setParameter(1, deploymentId).setParameter(2, t.symbol()).setParameter(3, id).executeUpdate())
                .flatMap(x -> load(s, id, null)).map(r -> r.view(BigInteger.ZERO, 0L));
    }

    /** A unique violation of {@code offering_symbol_active} anywhere in the cause chain. */
    static boolean symbolRace(Throwable failure) {
        Throwable t = failure;
        for (int depth = 0; t != null && depth < 16; depth++) {
            String state = t instanceof io.vertx.pgclient.PgException pg ? pg.getSqlState()
                    : t instanceof java.sql.SQLException sql ? sql.getSQLState() : null;
            if ("23505".equals(state) && String.valueOf(t.getMessage()).contains("offering_symbol_active")) {
                return true;
            }
            t = t.getCause() == t ? null : t.getCause();
        }
        return false;
    }

    public Uni<OfferingView> view(String id) {
        return Panache.withSession(() -> Panache.getSession().flatMap(s -> view(s, id)));
    }

    Uni<OfferingView> view(Mutiny.Session s, String id) {
        return load(s, id, null).flatMap(r -> s.createNativeQuery(
                "SELECT coalesce(sum(total), 0), count(*) FROM contributor WHERE offering_id = ?1", Object[].class)
                .setParameter(1, id).getSingleResult()
                .map(t -> r.view(Sql.big(t[0]), ((Number) t[1]).longValue())));
    }

    public Uni<List<OfferingView>> list(String state, String after, int limit) {
        return Panache.withSession(() -> Panache.getSession().flatMap(s -> s.createNativeQuery("SELECT "
                + OfferingRow.COLUMNS + " FROM offering WHERE state LIKE ?1 AND id > ?2 ORDER BY id LIMIT ?3",
                Object[].class).setParameter(1, state == null ? "%" : io.fomo.rmo.deployment.DeploymentService.like(state)).setParameter(2, after == null ? "" : after)
                .setParameter(3, limit).getResultList()
                .map(rows -> {
                    List<OfferingView> out = new ArrayList<>();
                    for (Object[] r : rows) {
                        out.add(OfferingRow.of(r).view(null, null));
                    }
                    return out;
                })));
    }

    /**
     * DRAFT → OPEN (operator). Needs a passing hosting check younger than {@code fomo.rmo.hosting-check.max-age}
     * (SPEC §3 "before an offering can open, the service verifies the hosting"). Opening an OPEN offering again
     * answers it unchanged.
     */
    public Uni<OfferingView> open(String id) {
        Instant now = Instant.now();
        return Panache.withTransaction(() -> Panache.getSession().flatMap(s -> load(s, id, "FOR UPDATE").flatMap(r -> {
            if ("OPEN".equals(r.state()) && r.closePhase() == null) {
                return view(s, id);
            }
            if (!"DRAFT".equals(r.state())) {
                throw ProblemException.conflict("OFFERING_NOT_DRAFT", "only a DRAFT offering can be opened; it is " + r.state());
            }
            if (!r.closesAt().isAfter(now)) {
                throw ProblemException.conflict("OFFERING_WINDOW_PASSED", "the offering's closesAt has passed");
            }
            return s.createNativeQuery("SELECT check_ok, check_at FROM deployment WHERE id = ?1", Object[].class)
                    .setParameter(1, r.deploymentId()).getSingleResult()
                    .flatMap(d -> {
                        Instant at = Sql.instant(d[1]);
                        if (d[0] == null || !((Boolean) d[0]) || at.isBefore(now.minus(hostingCheckMaxAge))) {
                            throw ProblemException.conflict("HOSTING_NOT_VERIFIED", "the deployment needs a passing hosting"
                                    + " check younger than " + hostingCheckMaxAge + " (POST /api/v1/deployments/"
                                    + r.deploymentId() + "/hosting-checks)");
                        }
                        return s.createNativeQuery("UPDATE offering SET state = 'OPEN', opened_at = ?2 WHERE id = ?1")
                                .setParameter(1, id).setParameter(2, Sql.ts(now)).executeUpdate();
                    })
                    .flatMap(x -> view(s, id));
        })));
    }
}
