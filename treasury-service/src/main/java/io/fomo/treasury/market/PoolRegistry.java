package io.fomo.treasury.market;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.shared.events.Inbox;
import io.fomo.shared.events.types.DeploymentLive;
import io.fomo.treasury.TreasuryConfig;
import io.fomo.treasury.ledger.model.AccountKey;
import io.fomo.treasury.ledger.model.AccountKind;
import io.fomo.treasury.ledger.model.AccountState;
import io.fomo.treasury.ledger.model.LedgerRules;
import io.fomo.treasury.ledger.LedgerService;
import io.fomo.treasury.ledger.store.LedgerStore.Statement;
import io.fomo.shared.db.Db;
import io.fomo.shared.db.Tx;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.rabbitmq.IncomingRabbitMQMetadata;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Model pools from rmo's {@code DeploymentLive} (inbox consumer {@value #CONSUMER}, exactly once): rmo's launch
 * batch already put the seed into {@code (<SYMBOL>-FLOCK, MT, POOL_RESERVE)} and {@code (<SYMBOL>-FLOCK, FLOCK,
 * POOL_RESERVE)} (docs/DESIGN.md "Cross-service contracts"); this registers the pool from those balances (LP shares
 * floor(√(x·y)), owned by the protocol, locked until {@code lpLockedUntil}, or {@code liveAt +
 * fomo.treasury.market.model-lp-lock} when the event has none) and keeps the deployment's owner, symbol and pool
 * for the revenue split. The pool's TWAP starts at {@code liveAt} (the seed's price held since the launch). If the
 * reserves are not there yet the event fails and the inbox retries it.
 */
@ApplicationScoped
public class PoolRegistry {

    public static final String CONSUMER = "treasury.markets";
    private static final Logger LOG = Logger.getLogger(PoolRegistry.class);

    @Inject
    Inbox inbox;

    @Inject
    ObjectMapper mapper;

    @Inject
    LedgerService ledger;

    @Inject
    TreasuryConfig config;

    @Inject
    Db db;

    @Inject
    MarketStore store;

    @Incoming("deployment-live")
    public Uni<Void> consume(JsonObject body, IncomingRabbitMQMetadata delivery) {
        return inbox.handle(CONSUMER, body, delivery,
                (tx, envelope) -> apply(tx, envelope.payloadAs(mapper, DeploymentLive.class)));
    }

    /** Registers the deployment and its pool in a transaction of its own (or the caller's unit of work). */
    public Uni<Void> apply(DeploymentLive d) {
        return db.transaction(tx -> apply(tx, d));
    }

    /** Registers the deployment and its pool on {@code tx} (the inbox's transaction: one commit with the inbox row). */
    public Uni<Void> apply(Tx tx, DeploymentLive d) {
        if (d.deploymentId() == null || d.symbol() == null || d.ownerId() == null) {
            throw new IllegalArgumentException("DeploymentLive without deploymentId, symbol or ownerId");
        }
        String poolId = d.poolId() != null ? d.poolId() : DeploymentLive.poolIdOf(d.symbol());
        Instant now = LedgerService.now();
        Instant liveAt = d.liveAt() == null || d.liveAt().isAfter(now) ? now
                : d.liveAt().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        Instant lock = d.lpLockedUntil() != null ? d.lpLockedUntil() : liveAt.plus(config.market().modelLpLock());
        AccountKey mt = new AccountKey(poolId, d.symbol(), AccountKind.POOL_RESERVE);
        AccountKey flock = new AccountKey(poolId, "FLOCK", AccountKind.POOL_RESERVE);
        return ledger.store().account(tx, mt).flatMap(mtReserve -> ledger.store().account(tx, flock)
                .flatMap(flockReserve -> {
                    BigInteger x = balance(mtReserve);
                    BigInteger y = balance(flockReserve);
                    if (x.signum() <= 0 || y.signum() <= 0) {
                        throw new IllegalStateException("pool " + poolId + " has no seed in its reserve accounts yet"
                                + " (MT " + x + ", FLOCK " + y + "); the inbox retries");
                    }
                    List<Statement> statements = MarketStore.insertPool(poolId, d.symbol(), "FLOCK", d.deploymentId(),
                            config.market().feeBps(), LedgerRules.PROTOCOL, x.multiply(y).sqrt(), lock, liveAt);
                    List<Statement> all = new java.util.ArrayList<>(statements);
                    all.add(0, MarketStore.insertDeployment(d.deploymentId(), d.symbol(), d.ownerId(), poolId, liveAt));
                    return store.run(tx, all).invoke(() -> LOG.infof("pool %s registered for deployment %s", poolId,
                            d.deploymentId()));
                }));
    }

    private static BigInteger balance(AccountState state) {
        return state == null ? BigInteger.ZERO : state.balance();
    }
}
