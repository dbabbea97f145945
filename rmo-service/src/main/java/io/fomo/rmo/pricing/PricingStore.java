package io.fomo.rmo.pricing;

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

/** All SQL of the price history ({@code deployment_price}: versions 1, 2, ...; version 0 is on {@code deployment}). */
@ApplicationScoped
public class PricingStore {

    /** The next version of the deployment's prices (call with the deployment locked). */
    public Uni<Long> nextVersion(Tx tx, String deploymentId) {
        return tx.one("SELECT COALESCE(max(version), 0) + 1 AS v FROM deployment_price WHERE deployment_id = $1",
                deploymentId).map(r -> r.longValue("v"));
    }

    public Uni<Integer> insert(Tx tx, String deploymentId, long version, BigInteger inPrice, BigInteger outPrice,
            BigInteger inCost, BigInteger outCost, Instant effectiveFrom, Instant announcedAt) {
        return tx.update("""
                INSERT INTO deployment_price (deployment_id, version, input_price, output_price, input_cost, output_cost,
                  effective_from, announced_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
                deploymentId, version, inPrice, outPrice, inCost, outCost, effectiveFrom, announcedAt);
    }

    /** Version 0 (the launch prices, from the deployment), if the deployment exists. */
    public Uni<Optional<PriceView>> launch(Tx tx, String deploymentId) {
        return tx.first("""
                SELECT id AS deployment_id, 0 AS version, input_price, output_price, input_cost, output_cost,
                  live_at AS effective_from, live_at AS announced_at FROM deployment WHERE id = $1""", deploymentId)
                .map(r -> r.map(PricingStore::view));
    }

    /** Re-prices newest first (version 1 and up), below {@code before}. */
    public Uni<List<PriceView>> history(Tx tx, String deploymentId, long before, int limit) {
        return tx.rows("""
                SELECT deployment_id, version, input_price, output_price, input_cost, output_cost, effective_from,
                  announced_at FROM deployment_price WHERE deployment_id = $1 AND version < $2
                ORDER BY version DESC LIMIT $3""", deploymentId, before, limit)
                .map(rows -> rows.stream().map(PricingStore::view).toList());
    }

    /** The re-price in force at {@code at}, if any (else the launch prices are). */
    public Uni<Optional<PriceView>> inForce(Tx tx, String deploymentId, Instant at) {
        return tx.first("""
                SELECT deployment_id, version, input_price, output_price, input_cost, output_cost, effective_from,
                  announced_at FROM deployment_price WHERE deployment_id = $1 AND effective_from <= $2
                ORDER BY effective_from DESC, version DESC LIMIT 1""", deploymentId, at)
                .map(r -> r.map(PricingStore::view));
    }

    static PriceView view(DbRow r) {
        String dep = r.string("deployment_id");
        long v = r.longValue("version");
        return new PriceView(dep + ":" + v, dep, v, usdc(r.units("input_price")), usdc(r.units("output_price")),
                usdc(r.units("input_cost")), usdc(r.units("output_cost")), r.instant("effective_from"),
                r.instant("announced_at"));
    }

    private static String usdc(BigInteger units) {
        return Amount.ofUnits(Token.USDC, units).toDecimalString();
    }
}
