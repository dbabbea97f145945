package io.fomo.staking.rewards;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.fomo.grpc.treasury.v1.AccountKind;
import io.fomo.grpc.treasury.v1.BatchOperation;
import io.fomo.grpc.treasury.v1.SubmitBatchRequest;
import io.fomo.shared.db.Db;
import io.fomo.shared.grpc.GrpcErrors;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.fomo.shared.web.IdempotencyKeys;
import io.fomo.shared.web.ProblemException;
import io.fomo.staking.ledger.LedgerClient;
import io.fomo.staking.rewards.RewardViews.ClaimRef;
import io.fomo.staking.rewards.RewardViews.ClaimRequest;
import io.fomo.staking.rewards.RewardViews.ClaimView;
import io.fomo.staking.rewards.RewardViews.MyRewards;
import io.fomo.staking.rewards.RewardViews.Payout;
import io.fomo.staking.rewards.RewardViews.RewardView;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Claims (SPEC §6 "Rewards accrue per user and are claimed into the user's ledger balance"): everything accrued to the
 * user in finished (epoch, model) jobs, FLOCK and MT, paid {@code (deploymentId, *, STAKER_REWARDS) → (user, *, USER)}
 * in one ledger batch whose id is the claim's id. As with stakes: the claim and its accruals are recorded first (with
 * the idempotency key), the ledger is called without a transaction open, then the claim is marked PAID; a claim left
 * PENDING is completed by {@link ClaimResumeJob} or by a retry with the same key.
 */
@ApplicationScoped
public class ClaimService {

    @Inject
    Db db;

    @Inject
    RewardStore store;

    @Inject
    IdempotencyKeys idempotency;

    @Inject
    LedgerClient ledger;

    private record Found(RewardStore.Claim claim, List<RewardStore.ClaimSum> sums) {
    }

    public Uni<ClaimView> claim(String userId, ClaimRequest body) {
        if (body == null) {
            throw ProblemException.badRequest("INVALID_REQUEST", "a JSON body {idempotencyKey} is required");
        }
        String key = IdempotencyKeys.requireKey(body.idempotencyKey());
        String scope = "claim:" + userId;
        String id = "claim:" + UUID.nameUUIDFromBytes((scope + "\n" + key).getBytes(StandardCharsets.UTF_8));
        return db.transaction(tx -> idempotency.once(scope, key, body, ClaimRef.class,
                () -> store.insertClaim(tx, id, userId).replaceWith(new ClaimRef(id))))
                .flatMap(ref -> complete(ref.id()));
    }

    /** Pays a recorded claim (idempotent) and answers its view. */
    public Uni<ClaimView> complete(String claimId) {
        return db.session(tx -> store.claim(tx, claimId).flatMap(claim -> {
            if (claim.isEmpty()) {
                throw ProblemException.notFound("CLAIM_NOT_FOUND", "no claim " + claimId);
            }
            return store.claimSums(tx, claimId).map(sums -> new Found(claim.get(), sums));
        })).flatMap(found -> {
            List<Payout> payouts = payouts(found.sums());
            ClaimView paid = new ClaimView(claimId, ClaimState.PAID.name(), payouts);
            if (found.claim().state() == ClaimState.PAID) {
                return Uni.createFrom().item(paid);
            }
            var batch = SubmitBatchRequest.newBuilder().setBatchId(claimId);
            var user = LedgerClient.ref(found.claim().userId(), AccountKind.ACCOUNT_KIND_USER);
            int n = 0;
            for (RewardStore.ClaimSum sum : found.sums()) {
                var rewards = LedgerClient.ref(sum.deploymentId(), AccountKind.ACCOUNT_KIND_STAKER_REWARDS);
                String ref = "deployment:" + sum.deploymentId();
                if (sum.flock().signum() > 0) {
                    batch.addOperations(BatchOperation.newBuilder().setTransfer(LedgerClient.transfer(claimId + ":" + (n++), rewards,
                            user, Token.FLOCK, sum.flock(), "REWARD_CLAIM", ref)));
                }
                if (sum.mt().signum() > 0) {
                    batch.addOperations(BatchOperation.newBuilder().setTransfer(LedgerClient.transfer(claimId + ":" + (n++), rewards,
                            user, Token.modelToken(sum.symbol()), sum.mt(), "REWARD_CLAIM", ref)));
                }
            }
            Uni<?> call = batch.getOperationsCount() == 0 ? Uni.createFrom().voidItem()
                    : ledger.submitBatch(batch.build()).onFailure().transform(GrpcErrors::toProblem);
            return call.flatMap(x -> db.session(tx -> store.markPaid(tx, claimId))).replaceWith(paid);
        });
    }

    private static List<Payout> payouts(List<RewardStore.ClaimSum> sums) {
        List<Payout> payouts = new ArrayList<>();
        for (RewardStore.ClaimSum sum : sums) {
            if (sum.flock().signum() > 0) {
                payouts.add(new Payout(sum.deploymentId(), Token.FLOCK.symbol(), whole(Token.FLOCK, sum.flock())));
            }
            if (sum.mt().signum() > 0) {
                payouts.add(new Payout(sum.deploymentId(), sum.symbol(), whole(Token.modelToken(sum.symbol()), sum.mt())));
            }
        }
        return payouts;
    }

    public Uni<List<String>> stalePending(Instant before, int limit) {
        return db.session(tx -> store.stalePendingClaims(tx, before, limit));
    }

    // ---- GET /api/v1/rewards/me ----

    public Uni<MyRewards> mine(String userId) {
        return db.session(tx -> store.accrualsOf(tx, userId)).map(accruals -> {
            List<RewardView> list = new ArrayList<>();
            for (RewardStore.Accrual a : accruals) {
                Token mt = Token.modelToken(a.symbol());
                list.add(new RewardView(a.epoch(), a.deploymentId(), a.symbol(), whole(Token.USDC, a.weight()),
                        whole(Token.FLOCK, a.emissionFlock().add(a.sliceFlock())), whole(Token.FLOCK, a.emissionFlock()),
                        whole(Token.FLOCK, a.sliceFlock()), whole(mt, a.sliceMt()), a.claimId()));
            }
            return new MyRewards(userId, list);
        });
    }

    private static String whole(Token token, BigInteger units) {
        return Amount.ofUnits(token, units).toDecimalString();
    }
}
