package io.fomo.rmo.close;

import java.math.BigInteger;
import java.util.List;

import org.jboss.logging.Logger;

import io.fomo.grpc.treasury.v1.AccountKind;
import io.fomo.grpc.treasury.v1.BatchOperation;
import io.fomo.grpc.treasury.v1.MintModelTokenOp;
import io.fomo.grpc.treasury.v1.PostPendingRequest;
import io.fomo.grpc.treasury.v1.RegisterModelTokenRequest;
import io.fomo.grpc.treasury.v1.SubmitBatchRequest;
import io.fomo.grpc.treasury.v1.TransferRequest;
import io.fomo.grpc.treasury.v1.VoidPendingRequest;
import io.fomo.rmo.ledger.LedgerGateway;
import io.fomo.rmo.offering.OfferingRow;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The close's ledger batches (docs/DESIGN.md "Cross-service contracts"), each under a deterministic batch id and with
 * deterministic operation ids, so a batch submitted again after a crash is a replay. Blocking: the close runs on a
 * worker thread, one batch at a time.
 */
@ApplicationScoped
public class CloseLedgerClient {

    private static final Logger LOG = Logger.getLogger(CloseLedgerClient.class);
    private static final String PROTOCOL = "protocol";

    /** One contribution's settlement: post {@code posted} of its pending transfer (the rest released), or void it. */
    public record Settlement(long contributionId, String pendingId, BigInteger posted) {
    }

    @Inject
    LedgerGateway ledger;

    /** (b) {@code close:<offering>:settle:<chunk>}. */
    public void settle(OfferingRow r, List<Settlement> chunk) {
        SubmitBatchRequest.Builder batch = SubmitBatchRequest.newBuilder()
                .setBatchId("close:" + r.id() + ":settle:" + r.closeChunk());
        for (Settlement s : chunk) {
            if (s.posted().signum() > 0) {
                batch.addOperations(BatchOperation.newBuilder().setPostPending(PostPendingRequest.newBuilder()
                        .setId("close:" + r.id() + ":post:" + s.contributionId()).setPendingId(s.pendingId())
                        .setAmount(whole(s.posted()))));
            } else {
                batch.addOperations(BatchOperation.newBuilder().setVoidPending(VoidPendingRequest.newBuilder()
                        .setId("close:" + r.id() + ":void:" + s.contributionId()).setPendingId(s.pendingId())));
            }
        }
        submit(r, batch.build());
    }

    /** (c) {@code launch:<offering>}: one atomic batch. */
    public void launch(OfferingRow r, LaunchPlan plan) {
        submit(r, launchBatch(r, plan));
    }

    /** (d) {@code close:<offering>:distribute:<chunk>}: sale MT from the escrow to the contributors. */
    public void distribute(OfferingRow r, List<CloseStore.Payout> chunk) {
        SubmitBatchRequest.Builder batch = SubmitBatchRequest.newBuilder()
                .setBatchId("close:" + r.id() + ":distribute:" + r.closeChunk());
        for (CloseStore.Payout p : chunk) {
            batch.addOperations(BatchOperation.newBuilder().setTransfer(TransferRequest.newBuilder()
                    .setId("launch:" + r.id() + ":mt:" + p.contributorId())
                    .setDebit(LedgerGateway.account(r.id(), AccountKind.ACCOUNT_KIND_OFFERING_ESCROW))
                    .setCredit(LedgerGateway.account(p.userId(), AccountKind.ACCOUNT_KIND_USER))
                    .setToken(r.symbol()).setAmount(whole(p.mt()))
                    .setCode("OFFERING_SALE").setReference("offering:" + r.id())));
        }
        submit(r, batch.build());
    }

    /** The launch batch; zero amounts are left out. */
    static SubmitBatchRequest launchBatch(OfferingRow r, LaunchPlan plan) {
        String id = r.id();
        String mt = r.symbol();
        String pool = r.poolId();
        SubmitBatchRequest.Builder b = SubmitBatchRequest.newBuilder().setBatchId("launch:" + id);
        b.addOperations(BatchOperation.newBuilder().setRegisterToken(RegisterModelTokenRequest.newBuilder()
                .setSymbol(mt).setDeploymentId(r.deploymentId())));
        b.addOperations(BatchOperation.newBuilder().setMintModelToken(MintModelTokenOp.newBuilder()
                .setId("launch:" + id + ":mint").setSymbol(mt)
                .setCredit(LedgerGateway.account(id, AccountKind.ACCOUNT_KIND_OFFERING_ESCROW))
                .setReference("offering:" + id)));
        transfer(b, id, "pool-mt", mt, plan.liquidityMt(), pool, AccountKind.ACCOUNT_KIND_POOL_RESERVE, "LAUNCH_POOL_SEED");
        transfer(b, id, "pool-flock", "FLOCK", plan.liquidityFlock(), pool, AccountKind.ACCOUNT_KIND_POOL_RESERVE, "LAUNCH_POOL_SEED");
        transfer(b, id, "reward-mt", mt, plan.incentivesMt(), r.deploymentId(), AccountKind.ACCOUNT_KIND_REWARD_POOL, "LAUNCH_INCENTIVES");
        transfer(b, id, "reward-flock", "FLOCK", plan.stakingFlock(), r.deploymentId(), AccountKind.ACCOUNT_KIND_REWARD_POOL, "LAUNCH_INCENTIVES");
        transfer(b, id, "vesting-mt", mt, plan.operatorMt(), r.ownerId(), AccountKind.ACCOUNT_KIND_VESTING, "LAUNCH_OPERATOR");
        transfer(b, id, "treasury-mt", mt, plan.treasuryMt(), PROTOCOL, AccountKind.ACCOUNT_KIND_TREASURY, "LAUNCH_TREASURY");
        transfer(b, id, "unsold-mt", mt, plan.unsoldMt(), PROTOCOL, AccountKind.ACCOUNT_KIND_TREASURY, "LAUNCH_UNSOLD");
        transfer(b, id, "protocol-flock", "FLOCK", plan.protocolFlock(), PROTOCOL, AccountKind.ACCOUNT_KIND_PROTOCOL_COSTS, "LAUNCH_PROTOCOL_COSTS");
        return b.build();
    }

    private static void transfer(SubmitBatchRequest.Builder b, String offeringId, String what, String token,
            BigInteger amount, String owner, AccountKind kind, String code) {
        if (amount.signum() == 0) {
            return;
        }
        b.addOperations(BatchOperation.newBuilder().setTransfer(TransferRequest.newBuilder()
                .setId("launch:" + offeringId + ":" + what)
                .setDebit(LedgerGateway.account(offeringId, AccountKind.ACCOUNT_KIND_OFFERING_ESCROW))
                .setCredit(LedgerGateway.account(owner, kind)).setToken(token).setAmount(whole(amount))
                .setCode(code).setReference("offering:" + offeringId)));
    }

    private void submit(OfferingRow r, SubmitBatchRequest batch) {
        long t0 = System.nanoTime();
        var result = ledger.blocking().submitBatch(batch);
        LOG.infof("offering %s: ledger batch %s (%d operations%s) in %d ms", r.id(), batch.getBatchId(),
                batch.getOperationsCount(), result.getReplayed() ? ", replayed" : "", (System.nanoTime() - t0) / 1_000_000);
    }

    /** MT and FLOCK both have 18 decimals. */
    private static String whole(BigInteger units) {
        return Amount.ofUnits(Token.FLOCK, units).toDecimalString();
    }
}
