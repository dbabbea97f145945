package io.fomo.billing.catalog;

import java.math.BigInteger;
import java.util.Optional;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.fomo.shared.db.Db;
import io.fomo.shared.db.Tx;
import io.fomo.shared.deployments.DeploymentLiveProjection;
import io.fomo.shared.events.Inbox;
import io.fomo.shared.events.types.DeploymentLive;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.rabbitmq.IncomingRabbitMQMetadata;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Projection of live deployments from rmo-service's {@code DeploymentLive} (prices and costs as USDC base units
 * per 1M tokens), so Authorize never calls rmo. The suite's one DeploymentLive projection
 * ({@link DeploymentLiveProjection}): one validation, and the first announcement of a deployment wins (a live
 * deployment's prices are fixed, SPEC §3; a different re-announcement is refused, logged and counted, not applied).
 * Re-delivery of one event is absorbed by the inbox; the insert runs in the inbox's transaction, so a failing insert
 * rolls the inbox row back too (SPEC §9). The row starts LIVE at status version 0, and V11's trigger stores its prices
 * as version 0 of the price history; {@link DeploymentStatuses} and {@link DeploymentPrices} then follow rmo's changes,
 * and the events they parked for this deployment are woken when it is inserted (issue #22).
 */
@ApplicationScoped
public class Catalog extends DeploymentLiveProjection {

    static final String CONSUMER = "billing.catalog";

    @Inject
    Inbox inbox;

    @Inject
    Db db;

    @Inject
    CatalogStore store;

    @Incoming("deployment-live")
    public Uni<Void> consume(JsonObject body, IncomingRabbitMQMetadata delivery) {
        return inbox.handle(CONSUMER, body, delivery, this::effect);
    }

    /** Projects the deployment in a transaction of its own (or the caller's, which it joins): fixtures and tests. */
    public Uni<Void> apply(DeploymentLive d) {
        return db.transaction(tx -> apply(tx, d)).replaceWithVoid();
    }

    @Override
    protected String name() {
        return CONSUMER;
    }

    /** Billing keeps every field but the offering's (offeringId, lpLockedUntil). */
    @Override
    protected Uni<Optional<DeploymentLive>> find(Tx tx, String deploymentId) {
        return store.find(tx, deploymentId).map(o -> o.map(r -> new DeploymentLive(r.id(), r.symbol(), r.ownerId(),
                r.modelId(), usdc(r.inputPrice()), usdc(r.outputPrice()), usdc(r.inputCost()), usdc(r.outputCost()),
                r.liveAt(), r.poolId(), null, null)));
    }

    @Override
    protected Uni<Void> insert(Tx tx, String eventId, DeploymentLive d) {
        return store.insert(tx, row(d)).replaceWithVoid();
    }

    /** Billing's own check: every price and cost fits the table's bigint of base units per 1M tokens. */
    @Override
    protected void check(DeploymentLive d) {
        row(d);
    }

    private static CatalogStore.LiveDeployment row(DeploymentLive d) {
        return new CatalogStore.LiveDeployment(d.deploymentId(), d.symbol(), d.ownerId(), d.modelId(),
                perMillion(d.inputPricePerMillion()), perMillion(d.outputPricePerMillion()),
                perMillion(d.inputCostPerMillion()), perMillion(d.outputCostPerMillion()), d.liveAt(), d.poolId());
    }

    /** A deploymentId as every event of the catalog carries it (1-128 characters, DeploymentLive's rule). */
    static void requireDeploymentId(String event, String id) {
        if (id == null || id.isBlank() || id.length() > 128) {
            throw new IllegalArgumentException(event + ": deploymentId is required (1-128 characters)");
        }
    }

    static long perMillion(String usdc) {
        BigInteger units = Amount.parse(Token.USDC, usdc).units();
        return units.longValueExact();
    }

    private static String usdc(long units) {
        return Amount.ofUnits(Token.USDC, BigInteger.valueOf(units)).toDecimalString();
    }
}
