package io.fomo.rmo.pricing;

import java.math.BigInteger;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import io.fomo.rmo.config.RmoConfig;
import io.fomo.rmo.deployment.DeploymentStore;
import io.fomo.shared.db.Db;
import io.fomo.shared.errors.ErrorCode;
import io.fomo.shared.events.Outbox;
import io.fomo.shared.events.types.PricesChanged;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.fomo.shared.web.IdempotencyKeys;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Re-pricing (SPEC §7a, issue #22): the owner of a live (or suspended) deployment announces new prices, effective at
 * the first settlement window after the notice ({@link PriceSchedule}); one transaction writes the version and its
 * {@code PricesChanged} (outbox), once per idempotency key.
 */
@ApplicationScoped
public class PricingService {

    @Inject
    Db db;

    @Inject
    PricingStore store;

    @Inject
    DeploymentStore deployments;

    @Inject
    Outbox outbox;

    @Inject
    IdempotencyKeys idempotency;

    @Inject
    RmoConfig config;

    @PostConstruct
    void init() {
        PriceSchedule.windowMicros(config.settlementWindow()); // a bad window fails the start, not a request
        if (config.reprice().notice().isNegative()) {
            throw new IllegalArgumentException("fomo.rmo.reprice.notice must not be negative");
        }
    }

    /** New prices (USDC base units per 1M tokens), validated against the bounds; {@code fingerprint} is the request. */
    public Uni<PriceView> reprice(String caller, String deploymentId, BigInteger inPrice, BigInteger outPrice,
            String idempotencyKey, Object fingerprint) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Instant effectiveFrom = PriceSchedule.effectiveFrom(now, config.reprice().notice(), config.settlementWindow());
        return db.transaction(tx -> idempotency.once(tx, "prices:" + caller, idempotencyKey, fingerprint, PriceView.class,
                () -> deployments.lock(tx, deploymentId).flatMap(found -> {
                    DeploymentStore.Locked d = found.orElseThrow(
                            () -> ErrorCode.DEPLOYMENT_NOT_FOUND.problem("no deployment " + deploymentId));
                    if (!d.ownerId().equals(caller)) {
                        throw ErrorCode.FORBIDDEN.problem("only the deployment's owner may re-price it");
                    }
                    if (d.state().delisted()) {
                        throw ErrorCode.DEPLOYMENT_DELISTED.problem("a " + d.state() + " deployment cannot be re-priced");
                    }
                    if (!d.state().wentLive()) {
                        throw ErrorCode.DEPLOYMENT_NOT_LIVE.problem("only a live deployment is re-priced; it is "
                                + d.state() + " (its registration's prices apply until then)");
                    }
                    PriceSchedule.requireAtLeastCost(inPrice, outPrice, d.inputCost(), d.outputCost());
                    return store.nextVersion(tx, deploymentId).flatMap(v -> store.insert(tx, deploymentId, v, inPrice,
                            outPrice, d.inputCost(), d.outputCost(), effectiveFrom, now)
                            .flatMap(x -> outbox.enqueue(tx, PricesChanged.eventIdOf(deploymentId, v),
                                    new PricesChanged(deploymentId, v, usdc(inPrice), usdc(outPrice), usdc(d.inputCost()),
                                            usdc(d.outputCost()), effectiveFrom, now)))
                            .replaceWith(new PriceView(deploymentId + ":" + v, deploymentId, v, usdc(inPrice),
                                    usdc(outPrice), usdc(d.inputCost()), usdc(d.outputCost()), effectiveFrom, now)));
                })));
    }

    /** The price history, newest first ({@code limit} re-prices below {@code before}, then version 0), and what is in force now. */
    public Uni<PriceView.History> history(String deploymentId, Long before, int limit) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return db.session(tx -> store.launch(tx, deploymentId).flatMap(launch -> {
            PriceView v0 = launch.orElseThrow(() -> ErrorCode.DEPLOYMENT_NOT_FOUND.problem("no deployment " + deploymentId));
            return store.inForce(tx, deploymentId, now).flatMap(current -> store
                    .history(tx, deploymentId, before == null ? Long.MAX_VALUE : before, limit).map(page -> {
                        List<PriceView> prices = new ArrayList<>(page);
                        if (prices.size() < limit) {
                            prices.add(v0);
                        }
                        return new PriceView.History(deploymentId, now, current.orElse(v0), prices);
                    }));
        }));
    }

    private static String usdc(BigInteger units) {
        return Amount.ofUnits(Token.USDC, units).toDecimalString();
    }
}
