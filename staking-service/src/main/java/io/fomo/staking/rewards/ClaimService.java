package io.fomo.staking.rewards;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.fomo.shared.db.Db;
import io.fomo.shared.db.Tx;
import io.fomo.shared.errors.ErrorCode;
import io.fomo.shared.grpc.GrpcErrors;
import io.fomo.shared.ledger.LedgerAccount;
import io.fomo.shared.ledger.LedgerAccount.Kind;
import io.fomo.shared.ledger.LedgerCall;
import io.fomo.shared.ledger.LedgerClient;
import io.fomo.shared.ledger.LedgerOp;
import io.fomo.shared.ledger.LedgerResults.Batch;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.fomo.shared.web.IdempotencyKeys;
import io.fomo.staking.rewards.RewardViews.ClaimRef;
import io.fomo.staking.rewards.RewardViews.ClaimRequest;
import io.fomo.staking.rewards.RewardViews.ClaimView;
import io.fomo.staking.rewards.RewardViews.MyRewards;
import io.fomo.staking.rewards.RewardViews.Payout;
import io.fomo.staking.rewards.RewardViews.RewardView;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Claims (SPEC §6 "Rewards accrue per user and are claimed into the user's ledger balance"): everything accrued to the
 * user in finished (epoch, model) jobs, FLOCK and MT, paid {@code (deploymentId, *, STAKER_REWARDS) → (user, *, USER)}
 * in one ledger batch whose id is the claim's id. As with stakes: the claim and its accruals are recorded first (with
 * the idempotency key), the ledger is called without a transaction open, then the claim is marked PAID; a claim left
 * PENDING is completed by {@link io.fomo.staking.ResumeJob} or by a retry with the same key (fomo-shared's {@code LedgerCall}).
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

    public Uni<ClaimView> claim(String userId, ClaimRequest body) {
        if (body == null) {
            throw ErrorCode.INVALID_REQUEST.problem("a JSON body {idempotencyKey} is required");
        }
        String key = IdempotencyKeys.requireKey(body.idempotencyKey());
        String scope = "claim:" + userId;
        String id = "claim:" + UUID.nameUUIDFromBytes((scope + "\n" + key).getBytes(StandardCharsets.UTF_8));
        return db.transaction(tx -> idempotency.once(tx, scope, key, body, ClaimRef.class,
                () -> store.insertClaim(tx, id, userId).replaceWith(new ClaimRef(id))))
                .flatMap(ref -> complete(ref.id()));
    }

    /** A recorded claim: its owner, state and what it pays per model (the intent of its one ledger batch). */
    record Intent(String id, String userId, ClaimState state, List<RewardStore.ClaimSum> sums) {
    }

    /**
     * The shared recipe around local state (fomo-shared {@link LedgerCall}): (a) the PENDING claim with its accruals
     * ({@link #claim}), (b) one ledger batch whose id is the claim's, (c) PENDING → PAID. {@link io.fomo.staking.ResumeJob} resumes.
     */
    LedgerCall<Intent, Batch, Void> payment;

    @PostConstruct
    void init() {
        payment = new LedgerCall<>(db, "staking.claim", new LedgerCall.Steps<>() {
            @Override
            public Uni<Batch> call(Intent claim) {
                List<LedgerOp> ops = operations(claim);
                return ops.isEmpty() ? Uni.createFrom().nullItem() : ledger.submitBatch(claim.id(), ops);
            }

            @Override
            public Uni<Void> result(Tx tx, Intent claim, Batch batch) {
                return store.markPaid(tx, claim.id());
            }
        });
    }

    /** Pays a recorded claim (idempotent) and answers its view. */
    public Uni<ClaimView> complete(String claimId) {
        return db.session(tx -> intent(tx, claimId)).flatMap(claim -> {
            ClaimView paid = new ClaimView(claimId, ClaimState.PAID.name(), payouts(claim.sums()));
            if (claim.state() == ClaimState.PAID) {
                return Uni.createFrom().item(paid);
            }
            return payment.finish(claim).onFailure().transform(GrpcErrors::toProblem).replaceWith(paid);
        });
    }

    /** Finishes claims still PENDING since before {@code before} (their request died): the resumer. */
    public Uni<Integer> resume(Instant before, int limit) {
        return payment.resume(tx -> store.stalePendingClaims(tx, before, limit)
                .flatMap(ids -> Multi.createFrom().iterable(ids).onItem().transformToUniAndConcatenate(id -> intent(tx, id))
                        .collect().asList()));
    }

    private Uni<Intent> intent(Tx tx, String claimId) {
        return store.claim(tx, claimId).flatMap(claim -> {
            if (claim.isEmpty()) {
                throw ErrorCode.CLAIM_NOT_FOUND.problem("no claim " + claimId);
            }
            return store.claimSums(tx, claimId).map(sums -> new Intent(claimId, claim.get().userId(), claim.get().state(), sums));
        });
    }

    /** The claim's transfers {@code (deploymentId, *, STAKER_REWARDS) → (user, *, USER)}, ids {@code <claimId>:<n>}. */
    private static List<LedgerOp> operations(Intent claim) {
        List<LedgerOp> ops = new ArrayList<>();
        var user = LedgerAccount.user(claim.userId());
        for (RewardStore.ClaimSum sum : claim.sums()) {
            var rewards = LedgerAccount.of(sum.deploymentId(), Kind.STAKER_REWARDS);
            String ref = "deployment:" + sum.deploymentId();
            if (sum.flock().signum() > 0) {
                ops.add(new LedgerOp.Transfer(claim.id() + ":" + ops.size(), rewards, user, Token.FLOCK, sum.flock(), "REWARD_CLAIM", ref));
            }
            if (sum.mt().signum() > 0) {
                ops.add(new LedgerOp.Transfer(claim.id() + ":" + ops.size(), rewards, user, Token.modelToken(sum.symbol()), sum.mt(),
                        "REWARD_CLAIM", ref));
            }
        }
        return ops;
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
