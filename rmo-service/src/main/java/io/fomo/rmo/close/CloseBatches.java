package io.fomo.rmo.close;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.jboss.logging.Logger;

import io.fomo.rmo.offering.OfferingRow;
import io.fomo.shared.ledger.LedgerAccount;
import io.fomo.shared.ledger.LedgerAccount.Kind;
import io.fomo.shared.ledger.LedgerClient;
import io.fomo.shared.ledger.LedgerOp;
import io.fomo.shared.ledger.LedgerResults.Batch;
import io.fomo.shared.ledger.LedgerResults.PendingPage;
import io.fomo.shared.ledger.LedgerResults.State;
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

    /**
     * (b') One page of the holds still PENDING in the offering's escrow (FLOCK), by pending id after {@code after}
     * (null: from the start): the ledger's own list, so a hold whose local record is missing is in it too.
     */
    public PendingPage pendingInEscrow(OfferingRow r, String after, int limit) {
        return ledger.pendingInto(escrow(r.id()), Token.FLOCK, State.PENDING, after, Math.min(limit, LedgerClient.MAX_PAGE))
                .await().indefinitely();
    }

    /**
     * (b') Voids holds no contribution row covers (issue #19): operation {@code close:<offering>:orphan:<hash(pending
     * id)>} each, in a batch {@code close:<offering>:orphans:<hash(its operations)>}. After a crash the escrow is listed
     * again: a voided hold is no longer PENDING, so a batch is either replayed as it was or never sent again.
     */
    public void voidOrphans(OfferingRow r, List<String> pendingIds) {
        List<LedgerOp> ops = new ArrayList<>(pendingIds.size());
        StringBuilder all = new StringBuilder();
        for (String pendingId : pendingIds) {
            String id = "close:" + r.id() + ":orphan:" + hash(pendingId);
            ops.add(new LedgerOp.VoidPending(id, pendingId));
            all.append(id).append('\n');
        }
        submit(r, "close:" + r.id() + ":orphans:" + hash(all.toString()), ops);
    }

    /** The first 32 hex digits of SHA-256: a fixed-length id part for any pending id. */
    static String hash(String text) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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
