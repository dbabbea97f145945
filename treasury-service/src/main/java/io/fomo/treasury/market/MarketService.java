package io.fomo.treasury.market;

import io.fomo.shared.errors.ErrorCode;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.fomo.shared.money.Amount;
import io.fomo.shared.web.IdempotencyKeys;
import io.fomo.treasury.TreasuryConfig;
import io.fomo.treasury.ledger.model.AccountKey;
import io.fomo.treasury.ledger.model.AccountKind;
import io.fomo.treasury.ledger.model.AccountState;
import io.fomo.treasury.ledger.LedgerService;
import io.fomo.treasury.ledger.store.LedgerStore.Plan;
import io.fomo.treasury.ledger.store.LedgerStore.Planned;
import io.fomo.treasury.ledger.store.LedgerStore.Statement;
import io.fomo.treasury.ledger.model.LedgerToken;
import io.fomo.treasury.ledger.model.Operation;
import io.fomo.treasury.ledger.api.OperationMapper;
import io.smallrye.mutiny.Uni;
import io.fomo.shared.db.DbRow;
import io.fomo.shared.db.Tx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Quotes and swaps on the constant-product pools (SPEC §5). A swap is one ledger transaction (a planned
 * execution, see {@code LedgerStore.executePlanned}): the user's two accounts and the pool's two reserve accounts
 * are locked in id order, the output is computed from the locked reserves by {@link SwapMath}, the two transfers
 * (input → reserve, reserve → user) are written with the swap's row and the pool's TWAP update, and committed.
 * Nothing is held across a network call; a refused swap writes nothing.
 */
@ApplicationScoped
public class MarketService {

    public static final String GENESIS_POOL = "FLOCK-USDC";

    /** A pool with its reserves (base units) and prices, as listed and quoted. */
    public record PoolView(PoolSnapshot pool, BigInteger baseReserve, BigInteger quoteReserve, BigInteger spot,
            BigInteger twap, BigInteger lpSupply, BigInteger lpLocked) {
        public BigInteger reserveOf(String token) {
            return pool.baseToken().equals(token) ? baseReserve : quoteReserve;
        }
    }

    /** A computed swap. */
    public record SwapQuote(BigInteger amountIn, BigInteger amountOut, BigInteger fee, BigInteger reserveInAfter,
            BigInteger reserveOutAfter, BigInteger impactBps) {
    }

    @Inject
    MarketStore store;

    @Inject
    IdempotencyKeys idempotency;

    @Inject
    LedgerService ledger;

    @Inject
    TreasuryConfig config;

    // ---------------------------------------------------------------- reads

    /** Every pool (or one), with reserves, spot and TWAP, ordered by id. */
    public Uni<List<PoolView>> pools(String poolId) {
        Instant now = LedgerService.now();
        return store.poolsWithReserves(now.minus(config.market().twapWindow()), poolId).map(rows -> {
            List<PoolView> list = new ArrayList<>();
            for (DbRow row : rows) {
                boolean before = !row.isNull("before_at");
                Instant obsAt = before ? row.instant("before_at") : row.instant("first_at");
                BigInteger obsCum = PoolSnapshot.units(row, before ? "before_cum" : "first_cum");
                PoolSnapshot snapshot = PoolSnapshot.fromRow(row, obsAt, obsCum, before);
                BigInteger base = PoolSnapshot.units(row, "base_reserve");
                BigInteger quote = PoolSnapshot.units(row, "quote_reserve");
                BigInteger spot = base.signum() > 0 && quote.signum() > 0 ? PoolSnapshot.spot(base, quote) : BigInteger.ZERO;
                list.add(new PoolView(snapshot, base, quote, spot, snapshot.twap(spot, now),
                        PoolSnapshot.units(row, "lp_supply"), PoolSnapshot.units(row, "lp_locked")));
            }
            return list;
        });
    }

    /**
     * A live deployment as the pool registry recorded it: its pool ({@code poolRegistered}) or, for a model that went
     * live without one, the reason (issue #19).
     */
    public record DeploymentView(String deploymentId, String symbol, String ownerId, String poolId, Instant liveAt,
            boolean poolRegistered, String noPoolReason) {
    }

    /** Every live deployment the treasury knows, by deployment id. */
    public Uni<List<DeploymentView>> deployments() {
        return store.deployments().map(rows -> rows.stream().map(r -> new DeploymentView(r.string("deployment_id"),
                r.string("symbol"), r.string("owner_id"), r.string("pool_id"), r.instant("live_at"),
                r.bool("pool_registered"), r.string("no_pool_reason"))).toList());
    }

    public Uni<PoolView> pool(String poolId) {
        return pools(poolId).map(list -> {
            if (list.isEmpty()) {
                throw ErrorCode.POOL_NOT_FOUND.problem("no pool " + poolId);
            }
            return list.get(0);
        });
    }

    /** Swap math on given reserves, with the checks every swap passes (a quote answers exactly what a swap does). */
    public SwapQuote compute(BigInteger reserveIn, BigInteger reserveOut, BigInteger amountIn, int feeBps) {
        if (reserveIn.signum() <= 0 || reserveOut.signum() <= 0) {
            throw ErrorCode.POOL_EMPTY.problem("the pool has no liquidity");
        }
        int maxImpact = config.market().maxSwapImpactBps();
        if (!SwapMath.withinImpact(reserveIn, amountIn, feeBps, maxImpact)) {
            throw ErrorCode.PRICE_IMPACT_TOO_HIGH.problem("the swap would move the price by more than "
                    + maxImpact + " bps (fomo.treasury.market.max-swap-impact-bps)");
        }
        BigInteger out = SwapMath.amountOut(reserveIn, reserveOut, amountIn, feeBps);
        if (out.compareTo(reserveOut) >= 0) {
            throw ErrorCode.RESERVE_EXHAUSTED.problem("the swap would empty the pool's reserve");
        }
        if (out.signum() == 0) {
            throw ErrorCode.ZERO_OUTPUT.problem("the input is too small to buy a single base unit");
        }
        BigInteger fee = amountIn.multiply(BigInteger.valueOf(feeBps)).divide(BigInteger.valueOf(SwapMath.BPS));
        BigInteger inAfterFee = amountIn.multiply(BigInteger.valueOf(SwapMath.BPS - feeBps));
        BigInteger impact = inAfterFee.multiply(BigInteger.valueOf(SwapMath.BPS))
                .divide(reserveIn.multiply(BigInteger.valueOf(SwapMath.BPS)).add(inAfterFee));
        return new SwapQuote(amountIn, out, fee, reserveIn.add(amountIn), reserveOut.subtract(out), impact);
    }

    // ---------------------------------------------------------------- swaps

    /** A swap request, validated and in base units. */
    public record SwapOrder(String userId, String idempotencyKey, String poolId, String tokenIn, BigInteger amountIn,
            BigInteger minAmountOut, Instant deadline) {
        List<String> canonical() {
            return List.of("SWAP", userId, idempotencyKey, poolId, tokenIn, amountIn.toString(),
                    minAmountOut.toString(), deadline == null ? "" : deadline.toString());
        }
    }

    /** A swap as applied (all amounts base units; the resource formats them). */
    public record SwapDone(String swapId, String poolId, String userId, String tokenIn, BigInteger amountIn,
            String tokenOut, BigInteger amountOut, BigInteger minAmountOut, BigInteger fee, BigInteger reserveInAfter,
            BigInteger reserveOutAfter, Instant createdAt) {
    }

    /**
     * A swap once per (user, idempotency key) (SPEC §9): the key's row, the ledger batch and the swap's row are one
     * transaction, retried as a whole when it loses a race; the same key again answers the first result as
     * {@code toView} made it.
     */
    public <T> Uni<T> swapOnce(SwapOrder order, PoolSnapshot known, Object request, Class<T> view,
            java.util.function.Function<SwapDone, T> toView) {
        return ledger.store().transaction(tx -> idempotency.once(tx, "swap:" + order.userId(), order.idempotencyKey(),
                request, view, () -> swap(tx, order, known).map(toView)));
    }

    /** A swap in a transaction of its own (no idempotency key: the ledger batch id alone makes it idempotent). */
    public Uni<SwapDone> swap(SwapOrder order, PoolSnapshot known) {
        return ledger.store().transaction(tx -> swap(tx, order, known));
    }

    /** The swap on the caller's transaction {@code tx} (the one of its idempotency key). */
    public Uni<SwapDone> swap(Tx tx, SwapOrder order, PoolSnapshot known) {
        String tokenOut = known.other(order.tokenIn());
        String swapId = OperationMapper.INTERNAL_ID_PREFIX + "swap:" + order.userId() + ":" + order.idempotencyKey();
        Instant now = LedgerService.now();
        if (order.deadline() != null && now.isAfter(order.deadline())) {
            throw ErrorCode.DEADLINE_EXCEEDED.problem("the swap's deadline " + order.deadline() + " has passed");
        }
        AccountKey userIn = new AccountKey(order.userId(), order.tokenIn(), AccountKind.USER);
        AccountKey userOut = new AccountKey(order.userId(), tokenOut, AccountKind.USER);
        AccountKey reserveIn = known.reserve(order.tokenIn());
        AccountKey reserveOut = known.reserve(tokenOut);
        Set<AccountKey> lock = new TreeSet<>(List.of(userIn, userOut, reserveIn, reserveOut));
        return ledger.tokens(Set.of(order.tokenIn(), tokenOut)).flatMap(tokens -> ledger.store().executePlanned(tx,
                new Planned(swapId, Operation.hash(order.canonical()), lock,
                        PoolSnapshot.reads(known.poolId(), now, config.market().twapWindow()), tokens, now,
                        (accounts, reads) -> {
                            PoolSnapshot pool = PoolSnapshot.of(reads.get(0), reads.get(1));
                            BigInteger x = accounts.get(reserveIn).balance();
                            BigInteger y = accounts.get(reserveOut).balance();
                            SwapQuote q = compute(x, y, order.amountIn(), pool.feeBps());
                            if (q.amountOut().compareTo(order.minAmountOut()) < 0) {
                                throw ErrorCode.SLIPPAGE_EXCEEDED.problem("the swap would pay "
                                        + format(tokens, tokenOut, q.amountOut()) + " " + tokenOut
                                        + ", less than minAmountOut " + format(tokens, tokenOut, order.minAmountOut()));
                            }
                            AccountState payer = accounts.get(userIn);
                            if (!payer.canDebit(order.amountIn())) {
                                throw ErrorCode.INSUFFICIENT_BALANCE.problem("you have "
                                        + format(tokens, order.tokenIn(), payer.available().max(BigInteger.ZERO)) + " "
                                        + order.tokenIn() + " available, the swap needs "
                                        + format(tokens, order.tokenIn(), order.amountIn()));
                            }
                            List<Operation> ops = List.of(
                                    new Operation.Transfer(swapId + ":in", userIn, reserveIn, order.amountIn(), "SWAP",
                                            swapId),
                                    new Operation.Transfer(swapId + ":out", reserveOut, userOut, q.amountOut(), "SWAP",
                                            swapId));
                            BigInteger spotBefore = pool.baseToken().equals(order.tokenIn())
                                    ? PoolSnapshot.spot(x, y) : PoolSnapshot.spot(y, x);
                            List<Statement> writes = new ArrayList<>(pool.accumulate(spotBefore, now));
                            writes.add(MarketStore.insertSwap(swapId, pool.poolId(), order.userId(),
                                    order.tokenIn(), order.amountIn(), tokenOut, q.amountOut(), order.minAmountOut(),
                                    q.fee(), q.reserveInAfter(), q.reserveOutAfter(), now));
                            return new Plan(ops, writes, new SwapDone(swapId, pool.poolId(), order.userId(),
                                    order.tokenIn(), order.amountIn(), tokenOut, q.amountOut(), order.minAmountOut(),
                                    q.fee(), q.reserveInAfter(), q.reserveOutAfter(), now));
                        })))
                .flatMap(applied -> applied.replayed() ? swapRecord(tx, swapId) : Uni.createFrom().item((SwapDone) applied.result()));
    }

    private Uni<SwapDone> swapRecord(Tx tx, String swapId) {
        return store.swap(tx, swapId)
                .map(r -> {
                    return new SwapDone(swapId, r.string("pool_id"), r.string("user_id"), r.string("token_in"),
                            PoolSnapshot.units(r, "amount_in"), r.string("token_out"),
                            PoolSnapshot.units(r, "amount_out"), PoolSnapshot.units(r, "min_amount_out"),
                            PoolSnapshot.units(r, "fee"), PoolSnapshot.units(r, "reserve_in_after"),
                            PoolSnapshot.units(r, "reserve_out_after"), r.instant("created_at"));
                });
    }

    static String format(Map<String, LedgerToken> tokens, String symbol, BigInteger units) {
        return Amount.ofUnits(tokens.get(symbol).money(), units).toDecimalString();
    }
}
