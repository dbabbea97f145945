package io.fomo.treasury.market;

import java.math.BigInteger;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import io.fomo.shared.db.Db;
import io.fomo.shared.db.Tx;
import io.fomo.shared.deployments.DeploymentLiveProjection;
import io.fomo.shared.events.Inbox;
import io.fomo.shared.events.types.DeploymentLive;
import io.fomo.treasury.TreasuryConfig;
import io.fomo.treasury.ledger.LedgerService;
import io.fomo.treasury.ledger.model.AccountKey;
import io.fomo.treasury.ledger.model.AccountKind;
import io.fomo.treasury.ledger.model.AccountState;
import io.fomo.treasury.ledger.model.LedgerRules;
import io.fomo.treasury.ledger.store.LedgerStore.Statement;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.rabbitmq.IncomingRabbitMQMetadata;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Model pools from rmo's {@code DeploymentLive} (inbox consumer {@value #CONSUMER}, exactly once), on the suite's one
 * projection rule ({@link DeploymentLiveProjection}: one validation, {@code liveAt} required, the first announcement
 * wins, an identical one is a no-op, a different one is refused, logged and counted). rmo's launch batch already put
 * the seed into {@code (<SYMBOL>-FLOCK, MT, POOL_RESERVE)} and {@code (<SYMBOL>-FLOCK, FLOCK, POOL_RESERVE)}
 * (docs/DESIGN.md "Cross-service contracts"); this registers the pool from those balances (LP shares floor(√(x·y)),
 * owned by the protocol, minted as the LP token {@code LP-<poolId>} into (protocol, LP-<poolId>, LP_LOCK) in the same
 * transaction ({@link LiquidityService#seed}), locked until {@code lpLockedUntil}, or the pool's start + {@code
 * fomo.treasury.market.model-lp-lock} when the event has none) and keeps the deployment's owner, symbol, pool and
 * {@code liveAt} for the revenue split. The pool's TWAP starts at {@code liveAt} (the seed's price held since the
 * launch), or now if {@code liveAt} is in the future (an accumulator cannot start after its first read). A launch
 * that seeded no pool (an MT or FLOCK reserve empty, or LP shares that round to zero) is recorded "live without pool"
 * with the reason ({@code market_deployment.no_pool_reason}, shown by {@code GET /api/v1/markets/deployments}), never
 * thrown (issue #19): its splits run without the MT buyback, whose share carries.
 */
@ApplicationScoped
public class PoolRegistry extends DeploymentLiveProjection {

    public static final String CONSUMER = "treasury.markets";
    private static final Logger LOG = Logger.getLogger(PoolRegistry.class);

    @Inject
    Inbox inbox;

    @Inject
    LedgerService ledger;

    @Inject
    TreasuryConfig config;

    @Inject
    Db db;

    @Inject
    MarketStore store;

    @Inject
    LiquidityService liquidity;

    @Incoming("deployment-live")
    public Uni<Void> consume(JsonObject body, IncomingRabbitMQMetadata delivery) {
        return inbox.handle(CONSUMER, body, delivery, this::effect);
    }

    /** Applies {@code d} in a transaction of its own (or the caller's unit of work). */
    public Uni<Outcome> apply(DeploymentLive d) {
        return db.transaction(tx -> apply(tx, d));
    }

    @Override
    protected String name() {
        return CONSUMER;
    }

    /** What {@code market_deployment} keeps: the symbol, the owner, the pool and the live time. */
    @Override
    protected Uni<Optional<DeploymentLive>> find(Tx tx, String deploymentId) {
        return store.deployment(tx, deploymentId);
    }

    /** Registers the deployment and its pool on {@code tx} (the inbox's transaction: one commit with the inbox row). */
    @Override
    protected Uni<Void> insert(Tx tx, String eventId, DeploymentLive d) {
        String poolId = poolIdOf(d);
        Instant liveAt = d.liveAt().truncatedTo(ChronoUnit.MICROS);
        Instant now = LedgerService.now();
        Instant poolStart = liveAt.isAfter(now) ? now : liveAt;
        Instant lock = d.lpLockedUntil() != null ? d.lpLockedUntil() : poolStart.plus(config.market().modelLpLock());
        AccountKey mt = new AccountKey(poolId, d.symbol(), AccountKind.POOL_RESERVE);
        AccountKey flock = new AccountKey(poolId, "FLOCK", AccountKind.POOL_RESERVE);
        return ledger.account(tx, mt).flatMap(mtReserve -> ledger.account(tx, flock)
                .flatMap(flockReserve -> {
                    BigInteger x = balance(mtReserve);
                    BigInteger y = balance(flockReserve);
                    BigInteger shares = x.multiply(y).sqrt();
                    List<Statement> all = new ArrayList<>();
                    if (shares.signum() <= 0) {
                        // rmo publishes DeploymentLive after its launch batch committed (DeploymentLive's contract),
                        // so an empty reserve now stays empty: a pool-less live model, recorded with the reason and
                        // never retried into a dead letter (issue #19). Its splits carry the MT buyback (NO_POOL).
                        String reason = "its launch seeded no pool: " + mt + " holds " + x + ", " + flock + " holds "
                                + y + " (base units)";
                        all.add(MarketStore.insertDeployment(d.deploymentId(), d.symbol(), d.ownerId(), poolId, liveAt,
                                reason));
                        return store.run(tx, all).invoke(() -> LOG.warnf("deployment %s is live without a pool: %s",
                                d.deploymentId(), reason));
                    }
                    all.add(MarketStore.insertDeployment(d.deploymentId(), d.symbol(), d.ownerId(), poolId, liveAt,
                            null));
                    all.addAll(MarketStore.insertPool(poolId, d.symbol(), "FLOCK", d.deploymentId(),
                            config.market().feeBps(), LedgerRules.PROTOCOL, shares, lock, poolStart));
                    // Issue #21: the seed's shares as the LP token, in LP_LOCK, in the pool's transaction.
                    return store.run(tx, all)
                            .flatMap(x2 -> liquidity.seed(tx, poolId, LedgerRules.PROTOCOL, shares, now))
                            .invoke(() -> LOG.infof("pool %s registered for deployment %s", poolId, d.deploymentId()));
                }));
    }

    private static BigInteger balance(AccountState state) {
        return state == null ? BigInteger.ZERO : state.balance();
    }
}
