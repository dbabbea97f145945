package io.fomo.treasury.market;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.shared.events.Inbox;
import io.fomo.shared.events.types.DeploymentLive;
import io.fomo.treasury.TreasuryConfig;
import io.fomo.treasury.ledger.AccountKey;
import io.fomo.treasury.ledger.AccountKind;
import io.fomo.treasury.ledger.AccountState;
import io.fomo.treasury.ledger.LedgerRules;
import io.fomo.treasury.ledger.LedgerService;
import io.fomo.treasury.ledger.LedgerStore.Statement;
import io.vertx.mutiny.sqlclient.Pool;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.rabbitmq.IncomingRabbitMQMetadata;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Tuple;
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
    Pool pool;

    @Incoming("deployment-live")
    public Uni<Void> consume(JsonObject body, IncomingRabbitMQMetadata delivery) {
        return inbox.handle(CONSUMER, body, delivery, envelope -> apply(envelope.payloadAs(mapper, DeploymentLive.class)));
    }

    /** Registers the deployment and its pool; call inside a Hibernate Reactive transaction (the inbox's). */
    public Uni<Void> apply(DeploymentLive d) {
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
        return Uni.combine().all().unis(ledger.store().account(mt), ledger.store().account(flock)).asTuple()
                .flatMap(reserves -> {
                    BigInteger x = balance(reserves.getItem1());
                    BigInteger y = balance(reserves.getItem2());
                    if (x.signum() <= 0 || y.signum() <= 0) {
                        throw new IllegalStateException("pool " + poolId + " has no seed in its reserve accounts yet"
                                + " (MT " + x + ", FLOCK " + y + "); the inbox retries");
                    }
                    List<Statement> statements = insertPool(poolId, d.symbol(), "FLOCK", d.deploymentId(),
                            config.market().feeBps(), LedgerRules.PROTOCOL, x.multiply(y).sqrt(), lock, liveAt);
                    List<Statement> all = new java.util.ArrayList<>(statements);
                    all.add(0, new Statement("""
                            INSERT INTO market_deployment (deployment_id, symbol, owner_id, pool_id, live_at)
                            VALUES ($1, $2, $3, $4, $5) ON CONFLICT (deployment_id) DO NOTHING""",
                            Tuple.of(d.deploymentId(), d.symbol(), d.ownerId(), poolId, PoolSnapshot.utc(liveAt))));
                    // Its own small transaction (idempotent inserts): a retry after the inbox's commit failed is harmless.
                    return pool.withTransaction(conn -> {
                                Uni<Void> chain = Uni.createFrom().voidItem();
                                for (Statement st : all) {
                                    chain = chain.flatMap(ignored -> conn.preparedQuery(st.sql()).execute(st.params())
                                            .replaceWithVoid());
                                }
                                return chain;
                            })
                            .invoke(() -> LOG.infof("pool %s registered for deployment %s", poolId, d.deploymentId()));
                });
    }

    private static BigInteger balance(AccountState state) {
        return state == null ? BigInteger.ZERO : state.balance();
    }

    /**
     * The pool row and its first TWAP observation (cumulative 0 at {@code createdAt}); nothing if the pool exists.
     */
    public static List<Statement> insertPool(String poolId, String base, String quote, String deploymentId, int feeBps,
            String lpOwner, BigInteger lpShares, Instant lpLockedUntil, Instant createdAt) {
        return Arrays.asList(new Statement("""
                INSERT INTO market_pool (pool_id, base_token, quote_token, deployment_id, fee_bps, lp_owner, lp_shares,
                  lp_locked_until, created_at, price_cumulative, cumulative_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7::text::numeric, $8, $9, 0, $9) ON CONFLICT (pool_id) DO NOTHING""",
                Tuple.from(Arrays.asList(poolId, base, quote, deploymentId, feeBps, lpOwner, lpShares.toString(),
                        lpLockedUntil == null ? null : PoolSnapshot.utc(lpLockedUntil), PoolSnapshot.utc(createdAt)))),
                new Statement("""
                        INSERT INTO market_observation (pool_id, observed_at, price_cumulative) VALUES ($1, $2, 0)
                        ON CONFLICT DO NOTHING""", Tuple.of(poolId, PoolSnapshot.utc(createdAt))));
    }
}
