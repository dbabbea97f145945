package io.fomo.treasury.split;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.jboss.logging.Logger;

import io.fomo.shared.db.Db;
import io.fomo.shared.db.Tx;
import io.fomo.shared.events.AwaitingFact;
import io.fomo.shared.events.types.WindowSettled;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.fomo.treasury.TreasuryConfig;
import io.fomo.treasury.ledger.model.AccountKey;
import io.fomo.treasury.ledger.model.AccountKind;
import io.fomo.treasury.ledger.model.AccountState;
import io.fomo.treasury.ledger.LedgerService;
import io.fomo.treasury.ledger.store.LedgerStore.Plan;
import io.fomo.treasury.ledger.store.LedgerStore.PlannedApplied;
import io.fomo.treasury.ledger.store.LedgerStore.Planned;
import io.fomo.treasury.ledger.store.LedgerStore.Statement;
import io.fomo.treasury.ledger.model.Operation;
import io.fomo.treasury.ledger.api.OperationMapper;
import io.fomo.treasury.market.MarketService;
import io.fomo.treasury.market.PoolSnapshot;
import io.fomo.treasury.market.Twap;
import io.fomo.treasury.ledger.model.LedgerToken;
import io.fomo.treasury.split.RevenueSplit.Parts;
import io.fomo.treasury.split.SplitStore.Deployment;
import io.fomo.treasury.split.SplitStore.SplitReads;
import io.smallrye.mutiny.Uni;
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
 * deployment, or too little in the prepaid credits, is an {@link AwaitingFact} (the inbox parks the event, issue #19).
 * A model live without a pool (its launch seeded none) is split like any other; its MT buyback carries (NO_POOL).
 */
@ApplicationScoped
public class SplitService {

    private static final Logger LOG = Logger.getLogger(SplitService.class);

    @Inject
    SplitStore store;

    @Inject
    Db db;

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
        return store.deployment(deploymentId);
    }

    /** Applies one WindowSettled in a transaction of its own (or the caller's unit of work). */
    public Uni<PlannedApplied> apply(WindowSettled e) {
        return db.transaction(tx -> apply(tx, e));
    }

    /**
     * Applies one WindowSettled on {@code tx} (the inbox's transaction: the split and the inbox row commit together);
     * replays (changes nothing) when it was applied before. A split that cannot apply YET fails with
     * {@link AwaitingFact} before anything of it is written, and the inbox parks it (issue #19): the deployment's
     * {@code DeploymentLive} is not applied yet ({@link AwaitingFact#deploymentLive}), or the prepaid-credits account
     * cannot pay {@code charged} because a {@code CreditsToppedUp} is still queued ({@value #CREDITS_FACT}).
     */
    public Uni<PlannedApplied> apply(Tx tx, WindowSettled e) {
        BigInteger charged = Amount.parse(Token.USDC, e.charged()).units();
        BigInteger compute = Amount.parse(Token.USDC, e.compute()).units();
        BigInteger net = Amount.parse(Token.USDC, e.net()).units();
        if (!charged.equals(compute.add(net))) {
            throw new IllegalArgumentException("WindowSettled " + e.window() + "/" + e.deploymentId() + ": charged "
                    + e.charged() + " is not compute " + e.compute() + " + net " + e.net());
        }
        return store.deployment(tx, e.deploymentId()).flatMap(d -> {
            if (d == null) {
                throw new AwaitingFact(AwaitingFact.deploymentLive(e.deploymentId()), "the split of window "
                        + e.window() + " waits for the DeploymentLive of " + e.deploymentId());
            }
            return ledger.tokens(Set.of("USDC", "FLOCK", d.symbol())).flatMap(tokens -> ledger.store()
                    .executePlanned(tx, planned(new SplitAccounts(d), e, charged, compute, net, tokens)));
        }).invoke(applied -> {
            if (!applied.replayed()) {
                LOG.infof("split of window %d of %s applied", e.window(), e.deploymentId());
            }
        });
    }

    /** The fact a split short of prepaid credits waits for: the effect of every {@code CreditsToppedUp} records it. */
    public static final String CREDITS_FACT = "credits-topped-up";

    /** The fact a buyback waits for while the genesis pool FLOCK-USDC is not registered yet (start-up). */
    public static final String GENESIS_POOL_FACT = "pool:" + MarketService.GENESIS_POOL;

    /**
     * The accounts one split or carry run of a deployment moves (all locked together, in id order); a deployment live
     * without a pool has no model-pool reserves ({@code flock2}, {@code mt2} null).
     */
    record SplitAccounts(Deployment deployment, AccountKey prepaid, AccountKey payable, AccountKey treasury,
            AccountKey ownerYield, AccountKey carry, AccountKey usdc1, AccountKey flock1, AccountKey flock2,
            AccountKey mt2, AccountKey flockBurn, AccountKey mtBurn) {
        SplitAccounts(Deployment d) {
            // The owner's yield is paid into their own spendable USDC balance (like the emission's owner part, SPEC
            // §7 "10% to the RMA owner directly"); the split's record and the journal (SPLIT_OWNER) keep it visible.
            this(d, AccountKey.protocol("USDC", AccountKind.PREPAID_CREDITS),
                    AccountKey.protocol("USDC", AccountKind.COMPUTE_PAYABLE),
                    AccountKey.protocol("USDC", AccountKind.TREASURY),
                    new AccountKey(d.ownerId(), "USDC", AccountKind.USER),
                    new AccountKey(d.deploymentId(), "USDC", AccountKind.BUYBACK_CARRY),
                    new AccountKey(MarketService.GENESIS_POOL, "USDC", AccountKind.POOL_RESERVE),
                    new AccountKey(MarketService.GENESIS_POOL, "FLOCK", AccountKind.POOL_RESERVE),
                    d.hasPool() ? new AccountKey(d.poolId(), "FLOCK", AccountKind.POOL_RESERVE) : null,
                    d.hasPool() ? new AccountKey(d.poolId(), d.symbol(), AccountKind.POOL_RESERVE) : null,
                    AccountKey.protocol("FLOCK", AccountKind.BURN), AccountKey.protocol(d.symbol(), AccountKind.BURN));
        }

        /** Every account of a split. */
        Set<AccountKey> all() {
            Set<AccountKey> all = buybacks();
            all.addAll(List.of(prepaid, payable, treasury, ownerYield));
            return all;
        }

        /** The accounts of the two buybacks alone (a carry run). */
        Set<AccountKey> buybacks() {
            Set<AccountKey> all = new TreeSet<>(List.of(carry, usdc1, flock1, flockBurn, mtBurn));
            if (flock2 != null) {
                all.add(flock2);
                all.add(mt2);
            }
            return all;
        }
    }

    private Planned planned(SplitAccounts a, WindowSettled e, BigInteger charged, BigInteger compute, BigInteger net,
            Map<String, LedgerToken> tokens) {
        String id = splitId(e.window(), e.deploymentId());
        Instant now = LedgerService.now();
        List<Statement> reads = SplitStore.splitReads(id, e.deploymentId(), MarketService.GENESIS_POOL,
                a.deployment().poolId(), now, config.market().twapWindow());
        byte[] hash = Operation.hash(List.of("SPLIT", Long.toString(e.window()), e.deploymentId(), charged.toString(),
                compute.toString(), net.toString()));
        return new Planned(id, hash, a.all(), reads, tokens, now,
                (accounts, rows) -> plan(id, a, e, charged, compute, net, now, accounts, SplitReads.of(rows)));
    }

    /**
     * The split on the locked balances: the parts, both buybacks (each bounded by price impact and the TWAP guard),
     * the transfers, the pools' TWAP updates and the split's row; null when the split happened before (a split that
     * moved nothing has no ledger batch to find).
     */
    private Plan plan(String id, SplitAccounts a, WindowSettled e, BigInteger charged, BigInteger compute,
            BigInteger net, Instant now,
            Map<AccountKey, AccountState> accounts, SplitReads read) {
        if (read.splitBefore()) {
            return null;
        }
        BigInteger prepaid = accounts.get(a.prepaid()).available();
        if (prepaid.compareTo(charged) < 0) {
            throw new AwaitingFact(CREDITS_FACT, "the split of window " + e.window() + " of " + e.deploymentId()
                    + " needs " + charged + " USDC units from the prepaid credits, which hold " + prepaid
                    + " until a queued CreditsToppedUp is applied");
        }
        Parts parts = rule().split(net);
        Step step = buybacks(id, a, accounts, read, parts.flockBuyback(), parts.mtBuyback(), now);
        Buybacks.Result fb = step.flock();
        Buybacks.Result mb = step.mt();

        List<Operation> ops = new ArrayList<>();
        add(ops, id + ":compute", a.prepaid(), a.payable(), compute, "SPLIT_COMPUTE", id);
        add(ops, id + ":treasury", a.prepaid(), a.treasury(), parts.treasury(), "SPLIT_TREASURY", id);
        add(ops, id + ":owner", a.prepaid(), a.ownerYield(), parts.owner(), "SPLIT_OWNER", id);
        add(ops, id + ":buybacks", a.prepaid(), a.carry(), parts.flockBuyback().add(parts.mtBuyback()), "SPLIT_BUYBACK",
                id);
        ops.addAll(step.operations());

        List<Statement> writes = new ArrayList<>(step.writes());
        writes.add(SplitStore.insertSplit(id, e.window(), e.deploymentId(), e.windowStart(), e.windowEnd(),
                s(charged), s(compute), s(net), s(parts.flockBuyback()), s(parts.mtBuyback()), s(parts.owner()),
                s(parts.treasury()), s(read.flockCarryIn()), s(fb.spent()), s(fb.bought()), s(fb.carried()),
                fb.limit().name(), a.deployment().symbol(), s(read.mtCarryIn()), s(mb.spent()), s(mb.routed()),
                s(mb.bought()), s(mb.carried()), mb.limit().name(), s(step.spot1()), s(step.twap1()),
                s(step.spot2()), s(step.twap2()), now));
        return new Plan(ops, writes, null);
    }

    /**
     * Both buybacks of one split or carry run on the locked balances, the one use of {@link Buybacks} (so a carry
     * retried in a window without revenue is bound exactly as a split's buyback): the FLOCK buyback spends
     * {@code flockShare} + its carry, then the MT buyback {@code mtShare} + its carry on the reserves the FLOCK
     * buyback left; both wait while a pool they trade on is off its TWAP (checked once, on the prices before); a
     * model live without a pool carries its whole MT budget (NO_POOL). Its transfers move USDC out of the carry
     * account only, so the caller credits the shares to it first.
     */
    Step buybacks(String id, SplitAccounts a, Map<AccountKey, AccountState> accounts, SplitReads read,
            BigInteger flockShare, BigInteger mtShare, Instant now) {
        PoolSnapshot p1 = read.flockPool();
        PoolSnapshot p2 = read.modelPool();
        if (p1 == null) {
            throw new AwaitingFact(GENESIS_POOL_FACT, "pool " + MarketService.GENESIS_POOL + " is not registered yet");
        }
        if (p2 == null && a.deployment().hasPool()) {
            throw new IllegalStateException("pool " + a.deployment().poolId() + " of " + a.deployment().deploymentId()
                    + " is not registered");
        }
        BigInteger flockCarryIn = read.flockCarryIn();
        BigInteger mtCarryIn = read.mtCarryIn();
        AccountState carryState = accounts.get(a.carry());
        if (!carryState.balance().equals(flockCarryIn.add(mtCarryIn))) {
            throw new IllegalStateException("carry account " + a.carry() + " holds " + carryState.balance()
                    + " but the recorded carries are " + flockCarryIn + " + " + mtCarryIn);
        }
        int bound = config.market().buybackImpactBps();
        int guard = config.market().twapGuardBps();
        BigInteger x1 = bal(accounts, a.usdc1());
        BigInteger y1 = bal(accounts, a.flock1());
        // Spot and TWAP before anything moves; quote per base: FLOCK-USDC is USDC per FLOCK, <MT>-FLOCK FLOCK per MT.
        BigInteger spot1 = PoolSnapshot.spot(y1, x1);
        BigInteger twap1 = p1.twap(spot1, now);
        boolean settled1 = !Twap.deviates(spot1, twap1, guard);

        Buybacks.Result fb = Buybacks.flock(flockShare.add(flockCarryIn), x1, y1, p1.feeBps(), bound, settled1);
        BigInteger x1b = x1.add(fb.spent());
        BigInteger y1b = y1.subtract(fb.bought());
        BigInteger spot2 = BigInteger.ZERO;
        BigInteger twap2 = BigInteger.ZERO;
        Buybacks.Result mb;
        if (p2 == null) {
            mb = Buybacks.noPool(mtShare.add(mtCarryIn));
        } else {
            BigInteger x2 = bal(accounts, a.flock2());
            BigInteger y2 = bal(accounts, a.mt2());
            spot2 = PoolSnapshot.spot(y2, x2);
            twap2 = p2.twap(spot2, now);
            boolean settled2 = !Twap.deviates(spot2, twap2, guard);
            mb = Buybacks.modelToken(mtShare.add(mtCarryIn), x1b, y1b, p1.feeBps(), x2, y2, p2.feeBps(), bound,
                    settled1 && settled2);
        }

        List<Operation> ops = new ArrayList<>();
        add(ops, id + ":flock-buy", a.carry(), a.usdc1(), fb.spent(), "BUYBACK_SWAP", id);
        add(ops, id + ":flock-burn", a.flock1(), a.flockBurn(), fb.bought(), "BUYBACK_BURN", id);
        if (p2 != null) {
            add(ops, id + ":mt-buy", a.carry(), a.usdc1(), mb.spent(), "BUYBACK_SWAP", id);
            add(ops, id + ":mt-route", a.flock1(), a.flock2(), mb.routed(), "BUYBACK_SWAP", id);
            add(ops, id + ":mt-burn", a.mt2(), a.mtBurn(), mb.bought(), "BUYBACK_BURN", id);
        }
        List<Statement> writes = new ArrayList<>();
        if (fb.spent().signum() > 0 || mb.spent().signum() > 0) {
            writes.addAll(p1.accumulate(spot1, now));
        }
        if (mb.spent().signum() > 0) {
            writes.addAll(p2.accumulate(spot2, now));
        }
        return new Step(fb, mb, spot1, twap1, spot2, twap2, ops, writes);
    }

    /** What {@link #buybacks} decided: both results, the prices before, the transfers and the pools' TWAP updates. */
    record Step(Buybacks.Result flock, Buybacks.Result mt, BigInteger spot1, BigInteger twap1, BigInteger spot2,
            BigInteger twap2, List<Operation> operations, List<Statement> writes) {
    }

    static void add(List<Operation> ops, String id, AccountKey debit, AccountKey credit, BigInteger amount,
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

    static String s(BigInteger v) {
        return v.toString();
    }
}
