package io.fomo.treasury.split;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.jboss.logging.Logger;

import io.fomo.shared.events.types.WindowSettled;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.fomo.treasury.TreasuryConfig;
import io.fomo.treasury.ledger.AccountKey;
import io.fomo.treasury.ledger.AccountKind;
import io.fomo.treasury.ledger.AccountState;
import io.fomo.treasury.ledger.LedgerService;
import io.fomo.treasury.ledger.LedgerStore.Plan;
import io.fomo.treasury.ledger.LedgerStore.PlannedApplied;
import io.fomo.treasury.ledger.LedgerStore.Planned;
import io.fomo.treasury.ledger.LedgerStore.Statement;
import io.fomo.treasury.ledger.Operation;
import io.fomo.treasury.ledger.OperationMapper;
import io.fomo.treasury.market.MarketService;
import io.fomo.treasury.market.PoolSnapshot;
import io.fomo.treasury.market.Twap;
import io.fomo.treasury.split.RevenueSplit.Parts;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The revenue split of one settled (window, deployment) (SPEC §5), in ONE ledger transaction (a planned execution,
 * batch id {@code ledger:split:<window>:<deploymentId>}, so a re-delivery or a retry after a crash replays instead
 * of splitting twice):
 * <ol>
 *   <li>{@code charged} leaves (protocol, USDC, PREPAID_CREDITS): {@code compute} to (protocol, USDC,
 *       COMPUTE_PAYABLE), the owner's 10% to (owner, USDC, USER), their spendable balance, the treasury's 30% + dust to (protocol,
 *       USDC, TREASURY), both buyback shares to the model's carry account (deploymentId, USDC, BUYBACK_CARRY);</li>
 *   <li>the FLOCK buyback spends (its share + its carry) from the carry account into FLOCK-USDC's USDC reserve,
 *       and the FLOCK bought goes from the pool's FLOCK reserve straight to (protocol, FLOCK, BURN);</li>
 *   <li>the MT buyback spends (its share + its carry) into FLOCK-USDC, the FLOCK bought moves to the model pool's
 *       FLOCK reserve, and the MT bought from its MT reserve to (protocol, MT, BURN);</li>
 *   <li>what {@link Buybacks} did not buy (impact bound, TWAP guard, dust) stays in the carry account. One ledger
 *       account holds both carries; the split rows record which part is whose ({@code flock_carry_out},
 *       {@code mt_carry_out} of the model's latest split), and the next split of the model adds each back to its
 *       own buyback. The audit checks that the account equals the two recorded carries.</li>
 * </ol>
 * Locks: every account above in one statement in id order (as any ledger batch), the pools' rows are guarded by
 * their reserve accounts. Needs the deployment's owner, symbol and pool from {@code DeploymentLive}: an unknown
 * deployment fails, and the inbox retries.
 */
@ApplicationScoped
public class SplitService {

    private static final Logger LOG = Logger.getLogger(SplitService.class);

    public record Deployment(String deploymentId, String symbol, String ownerId, String poolId) {
    }

    @Inject
    Pool pool;

    @Inject
    LedgerService ledger;

    @Inject
    TreasuryConfig config;

    public RevenueSplit rule() {
        TreasuryConfig.Split s = config.split();
        return new RevenueSplit(s.flockBuybackBps(), s.mtBuybackBps(), s.ownerBps(), s.treasuryBps());
    }

    public static String splitId(long window, String deploymentId) {
        return OperationMapper.INTERNAL_ID_PREFIX + "split:" + window + ":" + deploymentId;
    }

    public Uni<Deployment> deployment(String deploymentId) {
        return pool.preparedQuery("SELECT deployment_id, symbol, owner_id, pool_id FROM market_deployment"
                + " WHERE deployment_id = $1").execute(Tuple.of(deploymentId)).map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    Row r = rows.iterator().next();
                    return new Deployment(r.getString("deployment_id"), r.getString("symbol"), r.getString("owner_id"),
                            r.getString("pool_id"));
                });
    }

    /** Applies one WindowSettled; replays (changes nothing) when it was applied before. */
    public Uni<PlannedApplied> apply(WindowSettled e) {
        BigInteger charged = Amount.parse(Token.USDC, e.charged()).units();
        BigInteger compute = Amount.parse(Token.USDC, e.compute()).units();
        BigInteger net = Amount.parse(Token.USDC, e.net()).units();
        if (!charged.equals(compute.add(net))) {
            throw new IllegalArgumentException("WindowSettled " + e.window() + "/" + e.deploymentId() + ": charged "
                    + e.charged() + " is not compute " + e.compute() + " + net " + e.net());
        }
        return deployment(e.deploymentId()).flatMap(d -> {
            if (d == null) {
                throw new IllegalStateException("deployment " + e.deploymentId() + " is not known yet (no DeploymentLive"
                        + " applied); the inbox retries");
            }
            return ledger.tokens(Set.of("USDC", "FLOCK", d.symbol()))
                    .flatMap(tokens -> ledger.store().executePlanned(planned(e, d, charged, compute, net, tokens)));
        }).invoke(applied -> {
            if (!applied.replayed()) {
                LOG.infof("split of window %d of %s applied", e.window(), e.deploymentId());
            }
        });
    }

    private Planned planned(WindowSettled e, Deployment d, BigInteger charged, BigInteger compute, BigInteger net,
            Map<String, io.fomo.treasury.ledger.LedgerToken> tokens) {
        String id = splitId(e.window(), e.deploymentId());
        Instant now = LedgerService.now();
        String mt = d.symbol();
        String flockPool = MarketService.GENESIS_POOL;
        String mtPool = d.poolId();
        AccountKey prepaid = AccountKey.protocol("USDC", AccountKind.PREPAID_CREDITS);
        AccountKey payable = AccountKey.protocol("USDC", AccountKind.COMPUTE_PAYABLE);
        AccountKey treasury = AccountKey.protocol("USDC", AccountKind.TREASURY);
        // The owner's yield is paid into their own spendable USDC balance (like the emission's owner part, SPEC §7
        // "10% to the RMA owner directly"); the split's record and the journal (SPLIT_OWNER) keep it visible as yield.
        AccountKey ownerYield = new AccountKey(d.ownerId(), "USDC", AccountKind.USER);
        AccountKey carry = new AccountKey(d.deploymentId(), "USDC", AccountKind.BUYBACK_CARRY);
        AccountKey usdc1 = new AccountKey(flockPool, "USDC", AccountKind.POOL_RESERVE);
        AccountKey flock1 = new AccountKey(flockPool, "FLOCK", AccountKind.POOL_RESERVE);
        AccountKey flock2 = new AccountKey(mtPool, "FLOCK", AccountKind.POOL_RESERVE);
        AccountKey mt2 = new AccountKey(mtPool, mt, AccountKind.POOL_RESERVE);
        AccountKey flockBurn = AccountKey.protocol("FLOCK", AccountKind.BURN);
        AccountKey mtBurn = AccountKey.protocol(mt, AccountKind.BURN);
        Set<AccountKey> lock = new TreeSet<>(List.of(prepaid, payable, treasury, ownerYield, carry, usdc1, flock1,
                flock2, mt2, flockBurn, mtBurn));
        List<Statement> reads = new ArrayList<>();
        reads.addAll(PoolSnapshot.reads(flockPool, now, config.market().twapWindow()));
        reads.addAll(PoolSnapshot.reads(mtPool, now, config.market().twapWindow()));
        reads.add(new Statement("SELECT flock_carry_out, mt_carry_out FROM revenue_split WHERE deployment_id = $1"
                + " ORDER BY seq DESC LIMIT 1", Tuple.of(d.deploymentId())));
        reads.add(new Statement("SELECT 1 FROM revenue_split WHERE split_id = $1", Tuple.of(id)));
        byte[] hash = Operation.hash(List.of("SPLIT", Long.toString(e.window()), e.deploymentId(), charged.toString(),
                compute.toString(), net.toString()));
        int bound = config.market().buybackImpactBps();
        int guard = config.market().twapGuardBps();
        return new Planned(id, hash, lock, reads, tokens, now, (accounts, rows) -> {
            if (rows.get(5).size() > 0) {
                return null; // split before (a split that moved nothing has no ledger batch to find)
            }
            PoolSnapshot p1 = PoolSnapshot.of(rows.get(0), rows.get(1));
            PoolSnapshot p2 = PoolSnapshot.of(rows.get(2), rows.get(3));
            if (p1 == null || p2 == null) {
                throw new IllegalStateException("pool " + (p1 == null ? flockPool : mtPool) + " is not registered");
            }
            BigInteger flockCarryIn = BigInteger.ZERO;
            BigInteger mtCarryIn = BigInteger.ZERO;
            RowSet<Row> last = rows.get(4);
            if (last.size() > 0) {
                Row r = last.iterator().next();
                flockCarryIn = units(r, "flock_carry_out");
                mtCarryIn = units(r, "mt_carry_out");
            }
            AccountState carryState = accounts.get(carry);
            if (!carryState.balance().equals(flockCarryIn.add(mtCarryIn))) {
                throw new IllegalStateException("carry account " + carry + " holds " + carryState.balance()
                        + " but the recorded carries are " + flockCarryIn + " + " + mtCarryIn);
            }
            Parts parts = rule().split(net);
            BigInteger x1 = bal(accounts, usdc1);
            BigInteger y1 = bal(accounts, flock1);
            BigInteger x2 = bal(accounts, flock2);
            BigInteger y2 = bal(accounts, mt2);
            // Spot and TWAP before anything moves; quote per base: FLOCK-USDC is USDC per FLOCK, <MT>-FLOCK FLOCK per MT.
            BigInteger spot1 = PoolSnapshot.spot(y1, x1);
            BigInteger twap1 = p1.twap(spot1, now);
            BigInteger spot2 = PoolSnapshot.spot(y2, x2);
            BigInteger twap2 = p2.twap(spot2, now);
            boolean settled1 = !Twap.deviates(spot1, twap1, guard);
            boolean settled2 = !Twap.deviates(spot2, twap2, guard);

            Buybacks.Result fb = Buybacks.flock(parts.flockBuyback().add(flockCarryIn), x1, y1, p1.feeBps(), bound,
                    settled1);
            BigInteger x1b = x1.add(fb.spent());
            BigInteger y1b = y1.subtract(fb.bought());
            Buybacks.Result mb = Buybacks.modelToken(parts.mtBuyback().add(mtCarryIn), x1b, y1b, p1.feeBps(), x2, y2,
                    p2.feeBps(), bound, settled1 && settled2);

            List<Operation> ops = new ArrayList<>();
            add(ops, id + ":compute", prepaid, payable, compute, "SPLIT_COMPUTE", id);
            add(ops, id + ":treasury", prepaid, treasury, parts.treasury(), "SPLIT_TREASURY", id);
            add(ops, id + ":owner", prepaid, ownerYield, parts.owner(), "SPLIT_OWNER", id);
            add(ops, id + ":buybacks", prepaid, carry, parts.flockBuyback().add(parts.mtBuyback()), "SPLIT_BUYBACK", id);
            add(ops, id + ":flock-buy", carry, usdc1, fb.spent(), "BUYBACK_SWAP", id);
            add(ops, id + ":flock-burn", flock1, flockBurn, fb.bought(), "BUYBACK_BURN", id);
            add(ops, id + ":mt-buy", carry, usdc1, mb.spent(), "BUYBACK_SWAP", id);
            add(ops, id + ":mt-route", flock1, flock2, mb.routed(), "BUYBACK_SWAP", id);
            add(ops, id + ":mt-burn", mt2, mtBurn, mb.bought(), "BUYBACK_BURN", id);

            List<Statement> writes = new ArrayList<>();
            if (fb.spent().signum() > 0 || mb.spent().signum() > 0) {
                writes.addAll(p1.accumulate(spot1, now));
            }
            if (mb.spent().signum() > 0) {
                writes.addAll(p2.accumulate(spot2, now));
            }
            writes.add(new Statement("""
                    INSERT INTO revenue_split (split_id, window_no, deployment_id, window_start, window_end, charged,
                      compute, net, flock_buyback, mt_buyback, owner_part, treasury_part, flock_carry_in, flock_spent,
                      flock_bought, flock_carry_out, flock_limit, mt_symbol, mt_carry_in, mt_spent, mt_flock_routed,
                      mt_bought, mt_carry_out, mt_limit, flock_pool_spot, flock_pool_twap, mt_pool_spot, mt_pool_twap,
                      settled_at)
                    VALUES ($1, $2, $3, $4, $5, $6::text::numeric, $7::text::numeric, $8::text::numeric,
                      $9::text::numeric, $10::text::numeric, $11::text::numeric, $12::text::numeric, $13::text::numeric,
                      $14::text::numeric, $15::text::numeric, $16::text::numeric, $17, $18, $19::text::numeric,
                      $20::text::numeric, $21::text::numeric, $22::text::numeric, $23::text::numeric, $24,
                      $25::text::numeric, $26::text::numeric, $27::text::numeric, $28::text::numeric, $29)""",
                    Tuple.from(Arrays.asList(id, e.window(), e.deploymentId(),
                            e.windowStart() == null ? null : PoolSnapshot.utc(e.windowStart()),
                            e.windowEnd() == null ? null : PoolSnapshot.utc(e.windowEnd()), s(charged), s(compute),
                            s(net), s(parts.flockBuyback()), s(parts.mtBuyback()), s(parts.owner()),
                            s(parts.treasury()), s(flockCarryIn), s(fb.spent()), s(fb.bought()), s(fb.carried()),
                            fb.limit().name(), mt, s(mtCarryIn), s(mb.spent()), s(mb.routed()), s(mb.bought()),
                            s(mb.carried()), mb.limit().name(), s(spot1), s(twap1), s(spot2), s(twap2),
                            PoolSnapshot.utc(now)))));
            return new Plan(ops, writes, null);
        });
    }

    private static void add(List<Operation> ops, String id, AccountKey debit, AccountKey credit, BigInteger amount,
            String code, String reference) {
        if (amount.signum() > 0) {
            ops.add(new Operation.Transfer(id, debit, credit, amount, code, reference));
        }
    }

    private static BigInteger bal(Map<AccountKey, AccountState> accounts, AccountKey key) {
        BigInteger b = accounts.get(key).balance();
        if (b.signum() <= 0) {
            throw new IllegalStateException("pool reserve " + key + " is empty");
        }
        return b;
    }

    private static String s(BigInteger v) {
        return v.toString();
    }

    static BigInteger units(Row row, String column) {
        java.math.BigDecimal value = row.getBigDecimal(column);
        return value == null ? BigInteger.ZERO : value.toBigIntegerExact();
    }
}
