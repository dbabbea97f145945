package io.fomo.staking.rewards;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.fomo.grpc.treasury.v1.AccountKind;
import io.fomo.grpc.treasury.v1.BatchOperation;
import io.fomo.grpc.treasury.v1.SubmitBatchRequest;
import io.fomo.shared.grpc.GrpcErrors;
import io.fomo.shared.money.Token;
import io.fomo.shared.web.IdempotencyKeys;
import io.fomo.shared.web.ProblemException;
import io.fomo.staking.Db;
import io.fomo.staking.ledger.LedgerClient;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Claims (SPEC §6 "Rewards accrue per user and are claimed into the user's ledger balance"): everything accrued to the
 * user in finished (epoch, model) jobs, FLOCK and MT, paid {@code (deploymentId, *, STAKER_REWARDS) → (user, *, USER)}
 * in one ledger batch whose id is the claim's id. As with stakes: the claim and its accruals are recorded first (with
 * the idempotency key), the ledger is called without a transaction open, then the claim is marked PAID; a claim left
 * PENDING is completed by the resumer or by a retry with the same key.
 */
@ApplicationScoped
public class ClaimService {

    public record ClaimRequest(String idempotencyKey) {
    }

    public record ClaimRef(String id) {
    }

    public record Payout(String deploymentId, String token, String amount) {
    }

    public record ClaimView(String id, String state, List<Payout> payouts) {
    }

    @Inject
    IdempotencyKeys idempotency;

    @Inject
    LedgerClient ledger;

    public Uni<ClaimView> claim(String userId, ClaimRequest body) {
        if (body == null) {
            throw ProblemException.badRequest("INVALID_REQUEST", "a JSON body {idempotencyKey} is required");
        }
        String key = IdempotencyKeys.requireKey(body.idempotencyKey());
        String scope = "claim:" + userId;
        String id = "claim:" + UUID.nameUUIDFromBytes((scope + "\n" + key).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return Panache.withTransaction(() -> idempotency.once(scope, key, body, ClaimRef.class,
                () -> Panache.getSession().flatMap(s -> s.createNativeQuery(
                        "INSERT INTO reward_claim (id, user_id, state) VALUES (?1, ?2, 'PENDING')")
                        .setParameter(1, id).setParameter(2, userId).executeUpdate()
                        .flatMap(x -> s.createNativeQuery("""
                                UPDATE reward_accrual a SET claim_id = ?1 FROM reward_job j
                                WHERE a.user_id = ?2 AND a.claim_id IS NULL AND j.epoch = a.epoch AND j.deployment_id = a.deployment_id
                                  AND j.state = 'DONE'""").setParameter(1, id).setParameter(2, userId).executeUpdate()))
                        .replaceWith(new ClaimRef(id))))
                .flatMap(ref -> complete(ref.id()));
    }

    record Sum(String deploymentId, String symbol, BigInteger flock, BigInteger mt) {
    }

    /** Pays a recorded claim (idempotent) and answers its view. */
    public Uni<ClaimView> complete(String claimId) {
        return Panache.withSession(() -> Panache.getSession().flatMap(s -> s.createNativeQuery(
                "SELECT user_id, state FROM reward_claim WHERE id = ?1", Object[].class).setParameter(1, claimId).getResultList()
                .flatMap(claims -> {
                    if (claims.isEmpty()) {
                        throw ProblemException.notFound("CLAIM_NOT_FOUND", "no claim " + claimId);
                    }
                    return s.createNativeQuery("""
                            SELECT a.deployment_id, d.symbol, sum(a.emission_flock + a.slice_flock), sum(a.slice_mt)
                            FROM reward_accrual a JOIN deployment d ON d.id = a.deployment_id
                            WHERE a.claim_id = ?1 GROUP BY a.deployment_id, d.symbol ORDER BY a.deployment_id""", Object[].class)
                            .setParameter(1, claimId).getResultList()
                            .map(rows -> {
                                List<Sum> sums = new ArrayList<>();
                                for (Object[] r : rows) {
                                    sums.add(new Sum((String) r[0], (String) r[1], Db.units(r[2]), Db.units(r[3])));
                                }
                                return new Object[] { claims.get(0)[0], claims.get(0)[1], sums };
                            });
                })))
                .flatMap(found -> {
                    String userId = (String) found[0];
                    String state = (String) found[1];
                    @SuppressWarnings("unchecked")
                    List<Sum> sums = (List<Sum>) found[2];
                    ClaimView view = view(claimId, sums);
                    if ("PAID".equals(state)) {
                        return Uni.createFrom().item(new ClaimView(claimId, "PAID", view.payouts()));
                    }
                    var batch = SubmitBatchRequest.newBuilder().setBatchId(claimId);
                    var user = LedgerClient.ref(userId, AccountKind.ACCOUNT_KIND_USER);
                    int n = 0;
                    for (Sum sum : sums) {
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
                    return call.flatMap(x -> Panache.withTransaction(() -> Panache.getSession().flatMap(s -> s.createNativeQuery(
                            "UPDATE reward_claim SET state = 'PAID', paid_at = now() WHERE id = ?1 AND state = 'PENDING'")
                            .setParameter(1, claimId).executeUpdate())))
                            .replaceWith(new ClaimView(claimId, "PAID", view.payouts()));
                });
    }

    private static ClaimView view(String id, List<Sum> sums) {
        List<Payout> payouts = new ArrayList<>();
        for (Sum sum : sums) {
            if (sum.flock().signum() > 0) {
                payouts.add(new Payout(sum.deploymentId(), Token.FLOCK.symbol(), LedgerClient.whole(Token.FLOCK, sum.flock())));
            }
            if (sum.mt().signum() > 0) {
                payouts.add(new Payout(sum.deploymentId(), sum.symbol(), LedgerClient.whole(Token.modelToken(sum.symbol()), sum.mt())));
            }
        }
        return new ClaimView(id, "PENDING", payouts);
    }

    public Uni<List<String>> stalePending(Instant before, int limit) {
        return Panache.withSession(() -> Panache.getSession().flatMap(s -> s.createNativeQuery(
                "SELECT id FROM reward_claim WHERE state = 'PENDING' AND created_at < ?1 ORDER BY created_at LIMIT ?2", String.class)
                .setParameter(1, Db.ts(before)).setParameter(2, limit).getResultList()));
    }

    // ---- GET /api/v1/rewards/me ----

    public record RewardView(long epoch, String deploymentId, String symbol, String weight, String flock, String emissionFlock,
            String sliceFlock, String mt, String claimId) {
    }

    public record MyRewards(String userId, List<RewardView> rewards) {
    }

    public Uni<MyRewards> mine(String userId) {
        return Panache.withSession(() -> Panache.getSession().flatMap(s -> s.createNativeQuery("""
                SELECT a.epoch, a.deployment_id, d.symbol, a.weight, a.emission_flock, a.slice_flock, a.slice_mt, a.claim_id
                FROM reward_accrual a JOIN reward_job j ON j.epoch = a.epoch AND j.deployment_id = a.deployment_id AND j.state = 'DONE'
                JOIN deployment d ON d.id = a.deployment_id
                WHERE a.user_id = ?1 ORDER BY a.epoch DESC, a.deployment_id LIMIT 1000""", Object[].class)
                .setParameter(1, userId).getResultList()))
                .map(rows -> {
                    List<RewardView> list = new ArrayList<>();
                    for (Object[] r : rows) {
                        Token mt = Token.modelToken((String) r[2]);
                        BigInteger emission = Db.units(r[4]);
                        BigInteger slice = Db.units(r[5]);
                        list.add(new RewardView(((Number) r[0]).longValue(), (String) r[1], (String) r[2],
                                LedgerClient.whole(Token.USDC, Db.units(r[3])), LedgerClient.whole(Token.FLOCK, emission.add(slice)),
                                LedgerClient.whole(Token.FLOCK, emission), LedgerClient.whole(Token.FLOCK, slice),
                                LedgerClient.whole(mt, Db.units(r[6])), (String) r[7]));
                    }
                    return new MyRewards(userId, list);
                });
    }
}
