package io.fomo.treasury.market;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import org.jboss.logging.Logger;

import io.fomo.shared.db.Db;
import io.fomo.shared.db.DbRow;
import io.fomo.shared.db.Tx;
import io.fomo.shared.errors.ErrorCode;
import io.fomo.shared.web.IdempotencyKeys;
import io.fomo.treasury.TreasuryConfig;
import io.fomo.treasury.ledger.LedgerService;
import io.fomo.treasury.ledger.api.OperationMapper;
import io.fomo.treasury.ledger.model.AccountKey;
import io.fomo.treasury.ledger.model.AccountKind;
import io.fomo.treasury.ledger.model.AccountState;
import io.fomo.treasury.ledger.model.LedgerRules;
import io.fomo.treasury.ledger.model.LedgerToken;
import io.fomo.treasury.ledger.model.Operation;
import io.fomo.treasury.ledger.model.TokenKind;
import io.fomo.treasury.ledger.store.LedgerStore.Execution;
import io.fomo.treasury.ledger.store.LedgerStore.Plan;
import io.fomo.treasury.ledger.store.LedgerStore.Planned;
import io.fomo.treasury.ledger.store.LedgerStore.Statement;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;

/**
 * A pool's liquidity (issue #21): LP shares as the ledger token {@code LP-<poolId>} (kind LP, 18 decimals).
 *
 * <ul>
 *   <li><b>Seed</b> ({@link #seed}): a pool's initial shares ({@code market_pool.lp_shares}, floor(√(x·y)) of its
 *       seed) are minted from {@code (protocol, LP-x, ISSUER)} to {@code (lpOwner, LP-x, LP_LOCK)}, batch
 *       {@code ledger:lp-seed:<poolId>}, with the token's registration: in the pool's transaction for a model pool
 *       ({@link PoolRegistry}); at start, right after the genesis pool's seed, for the genesis pool and every pool
 *       created before LP tokens existed (idempotent backfill).</li>
 *   <li><b>Add / remove</b> (user): one ledger transaction each (a planned execution: the user's accounts, both
 *       reserves and the LP token's ISSUER and BURN are locked, the {@link Liquidity} rules run on the locked
 *       balances), the pool's TWAP accumulator closed with the spot price before the change (as a swap does), a
 *       {@code market_liquidity} row, and the idempotency key's row, in one commit.</li>
 *   <li><b>Locked removal</b> (operator): the lp owner's LP_LOCK shares, only at or after {@code lpLockedUntil}
 *       (null: never); the reserves go to the owner's TREASURY account for {@code protocol}, its USER account
 *       otherwise.</li>
 * </ul>
 */
@ApplicationScoped
public class LiquidityService {

    private static final Logger LOG = Logger.getLogger(LiquidityService.class);
    static final String SEED_PREFIX = OperationMapper.INTERNAL_ID_PREFIX + "lp-seed:";

    public enum Kind {
        ADD, REMOVE, REMOVE_LOCKED
    }

    /** An add's request in base units. */
    public record AddOrder(String userId, String key, String poolId, BigInteger maxBase, BigInteger maxQuote,
            BigInteger minShares, Instant deadline) {
        List<String> canonical() {
            return List.of("LP_ADD", userId, key, poolId, maxBase.toString(), maxQuote.toString(),
                    minShares.toString(), deadline == null ? "" : deadline.toString());
        }
    }

    /** A removal's request in base units ({@code locked}: the operator's removal of the locked shares). */
    public record RemoveOrder(String userId, String key, String poolId, BigInteger shares, BigInteger minBase,
            BigInteger minQuote, Instant deadline, boolean locked) {
        List<String> canonical() {
            return List.of(locked ? "LP_REMOVE_LOCKED" : "LP_REMOVE", userId, key, poolId, shares.toString(),
                    minBase.toString(), minQuote.toString(), deadline == null ? "" : deadline.toString());
        }
    }

    /** An add or removal as applied (base units). */
    public record LiquidityDone(String id, String poolId, String userId, Kind kind, BigInteger base, BigInteger quote,
            BigInteger shares, BigInteger baseReserveAfter, BigInteger quoteReserveAfter, Instant createdAt) {
    }

    @Inject
    LedgerService ledger;

    @Inject
    MarketStore store;

    @Inject
    IdempotencyKeys idempotency;

    @Inject
    TreasuryConfig config;

    @Inject
    Db db;

    /** The LP token of a pool as the ledger rules see it. */
    static LedgerToken lpToken(String poolId, Instant at) {
        return new LedgerToken(Liquidity.lpToken(poolId), 18, TokenKind.LP, null, at, null);
    }

    // ---------------------------------------------------------------- seed and backfill

    /**
     * On {@code tx}: registers {@code LP-<poolId>} and mints the pool's initial {@code shares} into
     * {@code (lpOwner, LP-<poolId>, LP_LOCK)} (batch {@code ledger:lp-seed:<poolId>}; a replay changes nothing).
     */
    public Uni<Void> seed(Tx tx, String poolId, String lpOwner, BigInteger shares, Instant now) {
        String symbol = Liquidity.lpToken(poolId);
        String batchId = SEED_PREFIX + poolId;
        Statement token = MarketStore.insertLpToken(symbol, now);
        return tx.update(token.sql(), token.params()).flatMap(ignored -> ledger.store().execute(tx,
                Execution.batch(batchId, List.of(new Operation.Transfer(batchId + ":0",
                        AccountKey.protocol(symbol, AccountKind.ISSUER), new AccountKey(lpOwner, symbol,
                                AccountKind.LP_LOCK), shares, "LP_SEED", poolId)),
                        Map.of(symbol, lpToken(poolId, now)), now)))
                .replaceWithVoid();
    }

    /** After the genesis pool's seed ({@code MarketGenesis}, APPLICATION + 600). */
    void onStart(@Observes @Priority(Interceptor.Priority.APPLICATION + 650) StartupEvent event) {
        backfill().await().atMost(Duration.ofMinutes(1));
    }

    /** Seeds the LP shares of every pool that has no LP token yet (the genesis pool, pools older than issue #21). */
    public Uni<Void> backfill() {
        return store.poolsWithoutLpToken().flatMap(rows -> {
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (DbRow row : rows) {
                String poolId = row.string("pool_id");
                chain = chain.flatMap(x -> db.transaction(tx -> seed(tx, poolId, row.string("lp_owner"),
                        PoolSnapshot.units(row, "lp_shares"), LedgerService.now()))
                        .invoke(() -> LOG.infof("pool %s: LP token %s registered, its seed shares in LP_LOCK", poolId,
                                Liquidity.lpToken(poolId))));
            }
            return chain;
        });
    }

    // ---------------------------------------------------------------- add, remove

    /** An add once per (user, key): the key's row, the ledger batch and the liquidity row in one transaction. */
    public <T> Uni<T> addOnce(AddOrder order, PoolSnapshot known, Object request, Class<T> view,
            Function<LiquidityDone, T> toView) {
        return ledger.store().transaction(tx -> idempotency.once(tx, "liquidity:" + order.userId(), order.key(),
                request, view, () -> add(tx, order, known).map(toView)));
    }

    /** A removal once per (user, key), as {@link #addOnce}. */
    public <T> Uni<T> removeOnce(RemoveOrder order, PoolSnapshot known, Object request, Class<T> view,
            Function<LiquidityDone, T> toView) {
        String scope = (order.locked() ? "locked-liquidity:" : "liquidity:") + order.userId();
        return ledger.store().transaction(tx -> idempotency.once(tx, scope, order.key(), request, view,
                () -> remove(tx, order, known).map(toView)));
    }

    private static void checkDeadline(Instant deadline, Instant now) {
        if (deadline != null && now.isAfter(deadline)) {
            throw ErrorCode.DEADLINE_EXCEEDED.problem("the deadline " + deadline + " has passed");
        }
    }

    /** LP supply in circulation: minted (ISSUER's debits) − burned (BURN's balance), from the locked accounts. */
    private static BigInteger supply(Map<AccountKey, AccountState> accounts, AccountKey issuer, AccountKey burn) {
        return accounts.get(issuer).balance().negate().subtract(accounts.get(burn).balance());
    }

    Uni<LiquidityDone> add(Tx tx, AddOrder order, PoolSnapshot known) {
        String id = OperationMapper.INTERNAL_ID_PREFIX + "liquidity:" + order.userId() + ":" + order.key();
        Instant now = LedgerService.now();
        checkDeadline(order.deadline(), now);
        String lp = Liquidity.lpToken(known.poolId());
        AccountKey userBase = new AccountKey(order.userId(), known.baseToken(), AccountKind.USER);
        AccountKey userQuote = new AccountKey(order.userId(), known.quoteToken(), AccountKind.USER);
        AccountKey userLp = new AccountKey(order.userId(), lp, AccountKind.USER);
        AccountKey issuer = AccountKey.protocol(lp, AccountKind.ISSUER);
        AccountKey burn = AccountKey.protocol(lp, AccountKind.BURN);
        AccountKey baseReserve = known.baseReserve();
        AccountKey quoteReserve = known.quoteReserve();
        Set<AccountKey> lock = new TreeSet<>(List.of(userBase, userQuote, userLp, issuer, burn, baseReserve,
                quoteReserve));
        return tokens(known, now).flatMap(tokens -> ledger.store().executePlanned(tx, new Planned(id,
                Operation.hash(order.canonical()), lock,
                PoolSnapshot.reads(known.poolId(), now, config.market().twapWindow()), tokens, now,
                (accounts, reads) -> {
                    PoolSnapshot pool = PoolSnapshot.of(reads.get(0), reads.get(1));
                    BigInteger x = accounts.get(baseReserve).balance();
                    BigInteger y = accounts.get(quoteReserve).balance();
                    Liquidity.Add a = Liquidity.add(order.maxBase(), order.maxQuote(), x, y,
                            supply(accounts, issuer, burn));
                    if (a.shares().compareTo(order.minShares()) < 0) {
                        throw ErrorCode.SLIPPAGE_EXCEEDED.problem("the add would mint " + MarketResource.lp(a.shares())
                                + " " + lp + ", less than minShares " + MarketResource.lp(order.minShares()));
                    }
                    requireAvailable(accounts.get(userBase), a.base(), tokens.get(known.baseToken()));
                    requireAvailable(accounts.get(userQuote), a.quote(), tokens.get(known.quoteToken()));
                    List<Operation> ops = List.of(
                            new Operation.Transfer(id + ":base", userBase, baseReserve, a.base(), "LP_ADD", id),
                            new Operation.Transfer(id + ":quote", userQuote, quoteReserve, a.quote(), "LP_ADD", id),
                            new Operation.Transfer(id + ":mint", issuer, userLp, a.shares(), "LP_MINT", id));
                    LiquidityDone done = new LiquidityDone(id, pool.poolId(), order.userId(), Kind.ADD, a.base(),
                            a.quote(), a.shares(), x.add(a.base()), y.add(a.quote()), now);
                    return new Plan(ops, writes(pool, x, y, now, done), done);
                })))
                .flatMap(applied -> applied.replayed() ? record(tx, id) : Uni.createFrom().item((LiquidityDone) applied.result()));
    }

    Uni<LiquidityDone> remove(Tx tx, RemoveOrder order, PoolSnapshot known) {
        String id = OperationMapper.INTERNAL_ID_PREFIX + (order.locked() ? "locked-liquidity:" : "liquidity:")
                + order.userId() + ":" + order.key();
        Instant now = LedgerService.now();
        checkDeadline(order.deadline(), now);
        if (order.locked()) {
            Liquidity.requireUnlocked(known.poolId(), known.lpLockedUntil(), now);
        }
        String lp = Liquidity.lpToken(known.poolId());
        String owner = order.locked() ? known.lpOwner() : order.userId();
        AccountKind payee = order.locked() && LedgerRules.PROTOCOL.equals(owner) ? AccountKind.TREASURY
                : AccountKind.USER;
        AccountKey toBase = new AccountKey(owner, known.baseToken(), payee);
        AccountKey toQuote = new AccountKey(owner, known.quoteToken(), payee);
        AccountKey fromLp = new AccountKey(owner, lp, order.locked() ? AccountKind.LP_LOCK : AccountKind.USER);
        AccountKey issuer = AccountKey.protocol(lp, AccountKind.ISSUER);
        AccountKey burn = AccountKey.protocol(lp, AccountKind.BURN);
        AccountKey baseReserve = known.baseReserve();
        AccountKey quoteReserve = known.quoteReserve();
        Set<AccountKey> lock = new TreeSet<>(List.of(toBase, toQuote, fromLp, issuer, burn, baseReserve, quoteReserve));
        return tokens(known, now).flatMap(tokens -> ledger.store().executePlanned(tx, new Planned(id,
                Operation.hash(order.canonical()), lock,
                PoolSnapshot.reads(known.poolId(), now, config.market().twapWindow()), tokens, now,
                (accounts, reads) -> {
                    PoolSnapshot pool = PoolSnapshot.of(reads.get(0), reads.get(1));
                    if (order.locked()) {
                        Liquidity.requireUnlocked(pool.poolId(), pool.lpLockedUntil(), now);
                    }
                    requireAvailable(accounts.get(fromLp), order.shares(), tokens.get(lp));
                    BigInteger x = accounts.get(baseReserve).balance();
                    BigInteger y = accounts.get(quoteReserve).balance();
                    Liquidity.Remove r = Liquidity.remove(order.shares(), x, y, supply(accounts, issuer, burn));
                    if (r.base().compareTo(order.minBase()) < 0 || r.quote().compareTo(order.minQuote()) < 0) {
                        throw ErrorCode.SLIPPAGE_EXCEEDED.problem("the removal would pay "
                                + MarketService.format(tokens, pool.baseToken(), r.base()) + " " + pool.baseToken()
                                + " and " + MarketService.format(tokens, pool.quoteToken(), r.quote()) + " "
                                + pool.quoteToken() + ", below minBaseAmount / minQuoteAmount");
                    }
                    String code = order.locked() ? "LP_REMOVE_LOCKED" : "LP_REMOVE";
                    List<Operation> ops = List.of(
                            new Operation.Transfer(id + ":burn", fromLp, burn, order.shares(), "LP_BURN", id),
                            new Operation.Transfer(id + ":base", baseReserve, toBase, r.base(), code, id),
                            new Operation.Transfer(id + ":quote", quoteReserve, toQuote, r.quote(), code, id));
                    LiquidityDone done = new LiquidityDone(id, pool.poolId(), owner,
                            order.locked() ? Kind.REMOVE_LOCKED : Kind.REMOVE, r.base(), r.quote(), order.shares(),
                            x.subtract(r.base()), y.subtract(r.quote()), now);
                    return new Plan(ops, writes(pool, x, y, now, done), done);
                })))
                .flatMap(applied -> applied.replayed() ? record(tx, id) : Uni.createFrom().item((LiquidityDone) applied.result()));
    }

    /** The TWAP closed with the spot before the change (as a swap does), then the liquidity row. */
    private static List<Statement> writes(PoolSnapshot pool, BigInteger x, BigInteger y, Instant now,
            LiquidityDone d) {
        List<Statement> writes = new ArrayList<>(pool.accumulate(PoolSnapshot.spot(x, y), now));
        writes.add(MarketStore.insertLiquidity(d.id(), d.poolId(), d.userId(), d.kind().name(), d.base(), d.quote(),
                d.shares(), d.baseReserveAfter(), d.quoteReserveAfter(), now));
        return writes;
    }

    private static void requireAvailable(AccountState account, BigInteger amount, LedgerToken token) {
        if (!account.canDebit(amount)) {
            throw ErrorCode.INSUFFICIENT_BALANCE.problem("you have " + MarketService.format(Map.of(token.symbol(),
                    token), token.symbol(), account.available().max(BigInteger.ZERO)) + " " + token.symbol()
                    + " available, " + MarketService.format(Map.of(token.symbol(), token), token.symbol(), amount)
                    + " needed");
        }
    }

    private Uni<Map<String, LedgerToken>> tokens(PoolSnapshot pool, Instant now) {
        String lp = Liquidity.lpToken(pool.poolId());
        return ledger.tokens(Set.of(pool.baseToken(), pool.quoteToken(), lp)).map(found -> {
            if (!found.containsKey(lp)) {
                throw ErrorCode.POOL_EMPTY.problem("pool " + pool.poolId() + " has no LP token yet");
            }
            return new HashMap<>(found);
        });
    }

    private Uni<LiquidityDone> record(Tx tx, String id) {
        return store.liquidity(tx, id).map(r -> new LiquidityDone(id, r.string("pool_id"), r.string("user_id"),
                Kind.valueOf(r.string("kind")), PoolSnapshot.units(r, "base_amount"),
                PoolSnapshot.units(r, "quote_amount"), PoolSnapshot.units(r, "shares"),
                PoolSnapshot.units(r, "base_reserve_after"), PoolSnapshot.units(r, "quote_reserve_after"),
                r.instant("created_at")));
    }
}
