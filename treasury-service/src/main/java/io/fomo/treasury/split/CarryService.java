package io.fomo.treasury.split;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.jboss.logging.Logger;

import io.fomo.treasury.TreasuryConfig;
import io.fomo.treasury.ledger.LedgerService;
import io.fomo.treasury.ledger.api.OperationMapper;
import io.fomo.treasury.ledger.model.Operation;
import io.fomo.treasury.ledger.store.LedgerStore.Plan;
import io.fomo.treasury.ledger.store.LedgerStore.Planned;
import io.fomo.treasury.ledger.store.LedgerStore.Statement;
import io.fomo.treasury.market.MarketService;
import io.fomo.treasury.split.SplitService.SplitAccounts;
import io.fomo.treasury.split.SplitService.Step;
import io.fomo.treasury.split.SplitStore.Deployment;
import io.fomo.treasury.split.SplitStore.SplitReads;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * A buyback carry retried at a settlement window's end (SPEC §5: "buys only up to the bound and carries the rest to
 * the next window (every window, whether or not the model earned in it)"; issue #19): both buybacks of the model,
 * with budgets of their carries alone, under the split's own bounds ({@link SplitService#buybacks}, the one use of
 * {@link Buybacks}). ONE ledger transaction, batch id {@code ledger:carry:<window>:<deploymentId>}: the carry
 * account, both pools' reserves and the burn accounts locked in id order (as any batch), the latest carries read
 * under that lock, the transfers, the pools' TWAP updates and the {@code buyback_carry_run} row committed together.
 * So a window's run happens once whatever runs it (a restart, a second replica, a re-run): a second run finds the
 * batch or the row and changes nothing. A window whose split already ran (its WindowSettled arrived first) has no
 * run: the split retried the carry in that window.
 */
@ApplicationScoped
public class CarryService {

    private static final Logger LOG = Logger.getLogger(CarryService.class);

    @Inject
    SplitStore store;

    @Inject
    SplitService splits;

    @Inject
    LedgerService ledger;

    @Inject
    TreasuryConfig config;

    /** The windows of the carries' clock ({@code fomo.treasury.split.settlement-window}, {@code carry-delay}). */
    public SettlementWindows windows() {
        return new SettlementWindows(config.split().settlementWindow(), config.split().carryDelay());
    }

    public static String runId(long window, String deploymentId) {
        return OperationMapper.INTERNAL_ID_PREFIX + "carry:" + window + ":" + deploymentId;
    }

    /** The deployments with a carry to retry in {@code window}. */
    public Uni<List<SplitStore.CarryDue>> due(long window) {
        return store.carriesDue(window);
    }

    /**
     * Retries the carries of {@code deploymentId} in {@code window} (its own transaction); true when this call ran
     * the window's run, false when it had run before, a split of the window exists or nothing is carried.
     */
    public Uni<Boolean> run(long window, String deploymentId) {
        return store.deployment(deploymentId).flatMap(d -> {
            if (d == null) {
                return Uni.createFrom().item(false);
            }
            return ledger.tokens(Set.of("USDC", "FLOCK", d.symbol()))
                    .flatMap(tokens -> ledger.store().executePlanned(planned(window, d, tokens)))
                    .map(applied -> !applied.replayed());
        }).invoke(ran -> {
            if (ran) {
                LOG.infof("carries of %s retried in window %d", deploymentId, window);
            }
        });
    }

    private Planned planned(long window, Deployment d, java.util.Map<String, io.fomo.treasury.ledger.model.LedgerToken> tokens) {
        String id = runId(window, d.deploymentId());
        Instant now = LedgerService.now();
        SplitAccounts a = new SplitAccounts(d);
        List<Statement> reads = SplitStore.carryReads(id, window, d.deploymentId(), MarketService.GENESIS_POOL,
                d.poolId(), now, config.market().twapWindow());
        byte[] hash = Operation.hash(List.of("CARRY", Long.toString(window), d.deploymentId()));
        return new Planned(id, hash, a.buybacks(), reads, tokens, now,
                (accounts, rows) -> {
                    SplitReads read = SplitReads.of(rows);
                    if (read.splitBefore() || !carries(read, d)) {
                        return null;
                    }
                    Step step = splits.buybacks(id, a, accounts, read, BigInteger.ZERO, BigInteger.ZERO, now);
                    List<Statement> writes = new ArrayList<>(step.writes());
                    SettlementWindows w = windows();
                    Buybacks.Result fb = step.flock();
                    Buybacks.Result mb = step.mt();
                    writes.add(SplitStore.insertCarryRun(id, window, d.deploymentId(), w.start(window), w.end(window),
                            s(read.flockCarryIn()), s(fb.spent()), s(fb.bought()), s(fb.carried()), fb.limit().name(),
                            d.symbol(), s(read.mtCarryIn()), s(mb.spent()), s(mb.routed()), s(mb.bought()),
                            s(mb.carried()), mb.limit().name(), s(step.spot1()), s(step.twap1()), s(step.spot2()),
                            s(step.twap2()), now));
                    return new Plan(step.operations(), writes, null);
                });
    }

    /** Whether anything is carried that a run could buy with (an MT carry of a model without a pool cannot). */
    private static boolean carries(SplitReads read, Deployment d) {
        return read.flockCarryIn().signum() > 0 || (d.hasPool() && read.mtCarryIn().signum() > 0);
    }

    private static String s(BigInteger v) {
        return v.toString();
    }
}
