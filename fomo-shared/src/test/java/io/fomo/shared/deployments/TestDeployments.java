package io.fomo.shared.deployments;

import java.util.Optional;

import io.fomo.shared.db.Tx;
import io.fomo.shared.events.types.DeploymentLive;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** A tiny projection keeping symbol, owner, input price (as base units) and liveAt, like a service's would. */
@ApplicationScoped
public class TestDeployments extends DeploymentLiveProjection {

    static final String CONSUMER = "shared.test-deployments";

    @Override
    protected String name() {
        return CONSUMER;
    }

    @Override
    protected Uni<Optional<DeploymentLive>> find(Tx tx, String deploymentId) {
        return tx.first("SELECT symbol, owner_id, input_price, live_at FROM test_deployment WHERE id = $1", deploymentId)
                .map(row -> row.map(r -> new DeploymentLive(deploymentId, r.string("symbol"), r.string("owner_id"), null,
                        Amount.ofUnits(Token.USDC, r.units("input_price")).toDecimalString(), null, null, null,
                        r.instant("live_at"), null, null, null)));
    }

    @Override
    protected Uni<Void> insert(Tx tx, String eventId, DeploymentLive d) {
        return tx.update("""
                INSERT INTO test_deployment (id, symbol, owner_id, input_price, live_at, event_id)
                VALUES ($1, $2, $3, $4, $5, $6)""", d.deploymentId(), d.symbol(), d.ownerId(),
                Amount.parse(Token.USDC, d.inputPricePerMillion()).units(), d.liveAt(), eventId).replaceWithVoid();
    }
}
