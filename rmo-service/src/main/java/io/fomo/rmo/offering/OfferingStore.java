package io.fomo.rmo.offering;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.fomo.shared.errors.ErrorCode;
import io.fomo.rmo.deployment.DeploymentState;
import io.fomo.rmo.deployment.DeploymentStore;
import io.fomo.shared.db.SqlFailure;
import io.fomo.shared.db.Tx;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** All SQL of the offerings (create, open, read); the close's SQL is {@code close.CloseStore}. */
@ApplicationScoped
public class OfferingStore {

    /** How {@link #load} locks the row. */
    public enum Lock {
        NONE(""), SHARE(" FOR SHARE"), UPDATE(" FOR UPDATE");

        final String sql;

        Lock(String sql) {
            this.sql = sql;
        }
    }

    /** The deployment an offering is created for: its owner and state. */
    public record DeploymentClaim(String ownerId, DeploymentState state) {
    }

    /** The deployment's latest hosting check (absent before the first). */
    public record HostingCheck(Boolean ok, Instant at) {
    }

    /** T and the contributor count while the offering is open. */
    public record LiveTotals(BigInteger total, long contributors) {
    }

    public Uni<OfferingRow> load(Tx tx, String id, Lock lock) {
        return tx.first("SELECT " + OfferingRow.COLUMNS + " FROM offering WHERE id = $1" + lock.sql, id)
                .map(row -> OfferingRow.of(row.orElseThrow(
                        () -> ErrorCode.OFFERING_NOT_FOUND.problem("no offering " + id))));
    }

    /** The deployment row, locked for the creation's transaction. */
    public Uni<Optional<DeploymentClaim>> lockDeployment(Tx tx, String deploymentId) {
        return tx.first("SELECT owner_id, state FROM deployment WHERE id = $1 FOR UPDATE", deploymentId)
                .map(r -> r.map(d -> new DeploymentClaim(d.string("owner_id"), DeploymentState.valueOf(d.string("state")))));
    }

    /** Whether an active offering (not FAILED or CANCELLED) holds {@code symbol}. */
    public Uni<Boolean> symbolTaken(Tx tx, String symbol) {
        return tx.one("SELECT count(*) AS n FROM offering WHERE symbol = $1 AND state NOT IN ($2, $3)", symbol,
                OfferingState.FAILED, OfferingState.CANCELLED).map(r -> r.longValue("n") > 0);
    }

    /**
     * A DRAFT offering. The symbol's check and a concurrent creation can both see the symbol free; the unique index
     * {@code offering_symbol_active} decides, and the loser is told so (issue #17: a symbol race answers 409).
     */
    public Uni<Integer> insert(Tx tx, String id, String deploymentId, String ownerId, OfferingTerms t, Instant now) {
        return tx.update("""
                INSERT INTO offering (id, deployment_id, owner_id, symbol, price, opens_at, closes_at, supply,
                  sale_quantity, hard_cap, soft_cap, min_contribution, max_contribution, alloc_sale,
                  alloc_liquidity, alloc_incentives, alloc_operator, alloc_treasury, uof_liquidity,
                  uof_staking, uof_protocol, vesting_cliff_s, vesting_duration_s, lp_lock_s, state, created_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
                  $20, $21, $22, $23, $24, $25, $26)""",
                id, deploymentId, ownerId, t.symbol(), t.price(), t.opensAt(), t.closesAt(), OfferingTerms.SUPPLY,
                t.saleQuantity(), t.hardCap(), t.effectiveSoftCap(), t.minContribution(), t.maxContribution(),
                t.allocation().sale(), t.allocation().liquidity(), t.allocation().incentives(),
                t.allocation().operator(), t.allocation().treasury(), t.useOfFunds().liquidity(),
                t.useOfFunds().staking(), t.useOfFunds().protocol(), t.vestingCliff().getSeconds(),
                t.vestingDuration().getSeconds(), t.lpLock().getSeconds(), OfferingState.DRAFT, now)
                .onFailure(OfferingStore::symbolRace).transform(e -> ErrorCode.SYMBOL_TAKEN.problem("symbol " + t.symbol() + " is taken"));
    }

    /** A unique violation of {@code offering_symbol_active}. */
    static boolean symbolRace(Throwable failure) {
        return SqlFailure.of(failure) instanceof SqlFailure f && f.isUniqueViolation()
                && "offering_symbol_active".equals(f.constraint());
    }

    /** The deployment now offers its token ({@link DeploymentState#OFFERING}). */
    public Uni<Integer> markDeploymentOffering(Tx tx, String deploymentId, String symbol, String offeringId) {
        return tx.update("UPDATE deployment SET state = $2, symbol = $3, offering_id = $4 WHERE id = $1", deploymentId,
                DeploymentState.OFFERING, symbol, offeringId);
    }

    public Uni<LiveTotals> liveTotals(Tx tx, String id) {
        return tx.one("SELECT coalesce(sum(total), 0) AS total, count(*) AS n FROM contributor WHERE offering_id = $1", id)
                .map(r -> new LiveTotals(r.units("total"), r.longValue("n")));
    }

    /** Offerings ordered by id after {@code after}, optionally of one state. */
    public Uni<List<OfferingRow>> list(Tx tx, String state, String after, int limit) {
        return tx.rows("SELECT " + OfferingRow.COLUMNS + " FROM offering WHERE state LIKE $1 AND id > $2 ORDER BY id LIMIT $3",
                state == null ? "%" : DeploymentStore.like(state), after == null ? "" : after, limit)
                .map(rows -> rows.stream().map(OfferingRow::of).toList());
    }

    public Uni<HostingCheck> hostingCheck(Tx tx, String deploymentId) {
        return tx.one("SELECT check_ok, check_at FROM deployment WHERE id = $1", deploymentId)
                .map(r -> new HostingCheck(r.bool("check_ok"), r.instant("check_at")));
    }

    public Uni<Integer> open(Tx tx, String id, Instant now) {
        return tx.update("UPDATE offering SET state = $2, opened_at = $3 WHERE id = $1", id, OfferingState.OPEN, now);
    }
}
