package io.fomo.rmo.close;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

import org.jboss.logging.Logger;

import io.fomo.rmo.offering.OfferingRow;
import io.fomo.shared.ledger.LedgerAccount;
import io.fomo.shared.ledger.LedgerAccount.Kind;
import io.fomo.shared.ledger.LedgerClient;
import io.fomo.shared.ledger.LedgerOp;
import io.fomo.shared.ledger.LedgerResults.Batch;
import io.fomo.shared.money.Token;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The close's ledger batches (docs/DESIGN.md "Cross-service contracts"), each under a deterministic batch id and with
 * deterministic operation ids, so a batch submitted again after a crash is a replay. Submitted through fomo-shared's
 * {@link LedgerClient}, blocking: the close runs on a worker thread, one batch at a time.
 */
@ApplicationScoped
public class CloseBatches {

    private static final Logger LOG = Logger.getLogger(CloseBatches.class);

    /** One contribution's settlement: post {@code posted} of its pending transfer (the rest released), or void it. */
    public record Settlement(long contributionId, String pendingId, BigInteger posted) {
    }

    @Inject
    LedgerClient ledger;

    /** (b) {@code close:<offering>:settle:<chunk>}. */
    public void settle(OfferingRow r, List<Settlement> chunk) {
        List<LedgerOp> ops = new ArrayList<>(chunk.size());
        for (Settlement s : chunk) {
            ops.add(s.posted().signum() > 0
                    ? new LedgerOp.PostPending("close:" + r.id() + ":post:" + s.contributionId(), s.pendingId(), Token.FLOCK,
                            s.posted())
                    : new LedgerOp.VoidPending("close:" + r.id() + ":void:" + s.contributionId(), s.pendingId()));
        }
        submit(r, "close:" + r.id() + ":settle:" + r.closeChunk(), ops);
    }

    /** (c) {@code launch:<offering>}: one atomic batch. */
    public void launch(OfferingRow r, LaunchPlan plan) {
        submit(r, "launch:" + r.id(), launchOps(r, plan));
    }

    /** (d) {@code close:<offering>:distribute:<chunk>}: sale MT from the escrow to the contributors. */
    public void distribute(OfferingRow r, List<CloseStore.Payout> chunk) {
        Token mt = Token.modelToken(r.symbol());
        List<LedgerOp> ops = new ArrayList<>(chunk.size());
        for (CloseStore.Payout p : chunk) {
            ops.add(new LedgerOp.Transfer("launch:" + r.id() + ":mt:" + p.contributorId(), escrow(r.id()),
                    LedgerAccount.user(p.userId()), mt, p.mt(), "OFFERING_SALE", "offering:" + r.id()));
        }
        submit(r, "close:" + r.id() + ":distribute:" + r.closeChunk(), ops);
    }

    /** The launch batch's operations; zero amounts are left out. */
    static List<LedgerOp> launchOps(OfferingRow r, LaunchPlan plan) {
        String id = r.id();
        Token mt = Token.modelToken(r.symbol());
        String pool = r.poolId();
        List<LedgerOp> ops = new ArrayList<>();
        ops.add(new LedgerOp.RegisterModelToken(r.symbol(), r.deploymentId()));
        ops.add(new LedgerOp.MintModelToken("launch:" + id + ":mint", r.symbol(), escrow(id), "offering:" + id));
        transfer(ops, id, "pool-mt", mt, plan.liquidityMt(), LedgerAccount.of(pool, Kind.POOL_RESERVE), "LAUNCH_POOL_SEED");
        transfer(ops, id, "pool-flock", Token.FLOCK, plan.liquidityFlock(), LedgerAccount.of(pool, Kind.POOL_RESERVE), "LAUNCH_POOL_SEED");
        transfer(ops, id, "reward-mt", mt, plan.incentivesMt(), LedgerAccount.of(r.deploymentId(), Kind.REWARD_POOL), "LAUNCH_INCENTIVES");
        transfer(ops, id, "reward-flock", Token.FLOCK, plan.stakingFlock(), LedgerAccount.of(r.deploymentId(), Kind.REWARD_POOL), "LAUNCH_INCENTIVES");
        transfer(ops, id, "vesting-mt", mt, plan.operatorMt(), LedgerAccount.of(r.ownerId(), Kind.VESTING), "LAUNCH_OPERATOR");
        transfer(ops, id, "treasury-mt", mt, plan.treasuryMt(), LedgerAccount.protocol(Kind.TREASURY), "LAUNCH_TREASURY");
        transfer(ops, id, "unsold-mt", mt, plan.unsoldMt(), LedgerAccount.protocol(Kind.TREASURY), "LAUNCH_UNSOLD");
        transfer(ops, id, "protocol-flock", Token.FLOCK, plan.protocolFlock(), LedgerAccount.protocol(Kind.PROTOCOL_COSTS), "LAUNCH_PROTOCOL_COSTS");
        return ops;
    }

    private static void transfer(List<LedgerOp> ops, String offeringId, String what, Token token, BigInteger amount,
            LedgerAccount credit, String code) {
        if (amount.signum() == 0) {
            return;
        }
        ops.add(new LedgerOp.Transfer("launch:" + offeringId + ":" + what, escrow(offeringId), credit, token, amount, code,
                "offering:" + offeringId));
    }

    private static LedgerAccount escrow(String offeringId) {
        return LedgerAccount.of(offeringId, Kind.OFFERING_ESCROW);
    }

    private void submit(OfferingRow r, String batchId, List<LedgerOp> ops) {
        long t0 = System.nanoTime();
        Batch result = ledger.submitBatchBlocking(batchId, ops);
        LOG.infof("offering %s: ledger batch %s (%d operations%s) in %d ms", r.id(), batchId, ops.size(),
                result.replayed() ? ", replayed" : "", (System.nanoTime() - t0) / 1_000_000);
    }
}
