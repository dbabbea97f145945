package io.fomo.staking.stakes;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jboss.logging.Logger;

import io.fomo.grpc.treasury.v1.AccountKind;
import io.fomo.grpc.treasury.v1.TransferResult;
import io.fomo.shared.events.Outbox;
import io.fomo.shared.events.types.StakeChanged;
import io.fomo.shared.grpc.GrpcErrors;
import io.fomo.shared.grpc.ServiceCalls;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.fomo.shared.web.IdempotencyKeys;
import io.fomo.shared.web.ProblemException;
import io.fomo.staking.Db;
import io.fomo.staking.StakingConfig;
import io.fomo.staking.deployments.LiveDeployments;
import io.fomo.staking.domain.DiscountTiers;
import io.fomo.staking.ledger.LedgerClient;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Stake and unstake (SPEC §6): MT moves {@code (user, MT, USER) → (user, MT, STAKING_CUSTODY)} on a stake and
 * {@code STAKING_CUSTODY → UNBONDING} on an unstake (docs/DESIGN.md "Cross-service contracts"); the unbonding period
 * later returns it ({@link UnbondingReleaser}).
 *
 * <p>No database transaction is held across the ledger call: (1) the intent is recorded as a PENDING {@code stake_op}
 * together with the idempotency key; (2) the ledger transfer runs with the op's deterministic id
 * ({@code stake:<user>:<key>} / {@code unstake:<user>:<key>}), so any retry is harmless; (3) the result is recorded
 * in one transaction: position, stake-change log (at the ledger's time), unbonding row and the {@code StakeChanged}
 * event (outbox). A refusal by the ledger (insufficient MT) removes the intent and the key: nothing moved, nothing
 * kept. A request that dies between (1) and (3) is completed by {@link Resumer}.
 */
@ApplicationScoped
public class StakeService {

    private static final Logger LOG = Logger.getLogger(StakeService.class);
    /** Amount syntax is checked before the model is known: every MT has 18 decimals (SPEC §2). */
    static final Token ANY_MT = new Token("MT", Token.MODEL_TOKEN_DECIMALS);

    public enum Kind {
        STAKE, UNSTAKE
    }

    /** The body of {@code POST /stakes} and {@code /unstakes}; the amount only as a JSON string (SPEC §2). */
    public record StakeRequest(String deploymentId,
            @com.fasterxml.jackson.databind.annotation.JsonDeserialize(using = io.fomo.shared.web.DecimalString.class) String amount,
            String idempotencyKey) {
    }

    /** What the idempotency key stores: the operation it created. */
    public record OpRef(String id) {
    }

    public record StakeOpView(String id, String kind, String deploymentId, String symbol, String amount, String state,
            String staked, int discountBps, Instant releaseAt) {
    }

    record Op(String id, Kind kind, String userId, String deploymentId, String symbol, BigInteger amount, String state,
            String idemScope, String idemKey) {
        Token token() {
            return Token.modelToken(symbol);
        }
    }

    @Inject
    LiveDeployments deployments;

    @Inject
    LedgerClient ledger;

    @Inject
    IdempotencyKeys idempotency;

    @Inject
    Outbox outbox;

    @Inject
    StakingConfig config;

    DiscountTiers tiers;

    @jakarta.annotation.PostConstruct
    void init() {
        tiers = config.tiers();
    }

    public DiscountTiers tiers() {
        return tiers;
    }

    public Uni<StakeOpView> submit(Kind kind, String userId, StakeRequest body) {
        if (body == null) {
            throw ProblemException.badRequest("INVALID_REQUEST", "a JSON body {deploymentId, amount, idempotencyKey} is required");
        }
        String key = IdempotencyKeys.requireKey(body.idempotencyKey());
        if (body.deploymentId() == null || body.deploymentId().isBlank() || body.deploymentId().length() > 128) {
            throw ProblemException.badRequest("INVALID_DEPLOYMENT_ID", "deploymentId is required (1-128 characters)");
        }
        BigInteger units = Amount.parsePositive(ANY_MT, body.amount()).units();
        // The key's fingerprint is of the normalised request: "250.50" and "250.5" are the same request.
        StakeRequest request = new StakeRequest(body.deploymentId(), Amount.ofUnits(ANY_MT, units).toDecimalString(), key);
        String scope = (kind == Kind.STAKE ? "stake:" : "unstake:") + userId;
        // Ledger ids are at most 128 characters: a name-based UUID of (user, key) keeps the id deterministic and short.
        String opId = (kind == Kind.STAKE ? "stake:" : "unstake:") + java.util.UUID.nameUUIDFromBytes(
                (scope + "\n" + key).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return Panache.withSession(() -> keyUsed(scope, key).flatMap(used -> deployments.find(body.deploymentId())
                .map(d -> new Object[] { used, d })))
                .flatMap(found -> {
                    boolean used = (Boolean) found[0];
                    LiveDeployments.Deployment d = (LiveDeployments.Deployment) found[1];
                    if (used) {
                        // A replay (or a reuse with another body): IdempotencyKeys decides without running the action.
                        return record(kind, userId, scope, key, request, opId, units, d);
                    }
                    if (d == null) {
                        throw new ProblemException(409, "DEPLOYMENT_NOT_LIVE",
                                "deployment " + body.deploymentId() + " is unknown or not live: only a live model's MT can be staked");
                    }
                    return precheck(kind, userId, d, units).flatMap(v -> record(kind, userId, scope, key, request, opId, units, d));
                })
                .flatMap(ref -> complete(ref.id()));
    }

    private Uni<Void> precheck(Kind kind, String userId, LiveDeployments.Deployment d, BigInteger units) {
        if (kind == Kind.STAKE) {
            return ledger.available(userId, AccountKind.ACCOUNT_KIND_USER, d.token())
                    .onFailure().transform(GrpcErrors::toProblem)
                    .map(available -> {
                        if (available.compareTo(units) < 0) {
                            throw new ProblemException(409, "INSUFFICIENT_BALANCE", "only " + LedgerClient.whole(d.token(), available)
                                    + " " + d.symbol() + " available to stake");
                        }
                        return null;
                    });
        }
        return Panache.withSession(() -> staked(userId, d.id())).map(staked -> {
            if (staked.compareTo(units) < 0) {
                throw new ProblemException(409, "INSUFFICIENT_STAKE", "only " + LedgerClient.whole(d.token(), staked)
                        + " " + d.symbol() + " staked");
            }
            return null;
        });
    }

    private Uni<OpRef> record(Kind kind, String userId, String scope, String key, StakeRequest body, String opId,
            BigInteger units, LiveDeployments.Deployment d) {
        return Panache.withTransaction(() -> idempotency.once(scope, key, body, OpRef.class, () -> {
            if (d == null) {
                throw new ProblemException(409, "DEPLOYMENT_NOT_LIVE", "deployment " + body.deploymentId() + " is unknown or not live");
            }
            return Panache.getSession().flatMap(s -> s.createNativeQuery("""
                    INSERT INTO stake_op (id, kind, user_id, deployment_id, amount, state, idem_scope, idem_key)
                    VALUES (?1, ?2, ?3, ?4, ?5, 'PENDING', ?6, ?7)""")
                    .setParameter(1, opId).setParameter(2, kind.name()).setParameter(3, userId).setParameter(4, d.id())
                    .setParameter(5, Db.num(units)).setParameter(6, scope).setParameter(7, key).executeUpdate())
                    .replaceWith(new OpRef(opId));
        }));
    }

    /** Brings a recorded operation to its end (ledger call, then the result) and answers its view. Idempotent. */
    public Uni<StakeOpView> complete(String opId) {
        return Panache.withSession(() -> load(opId)).flatMap(op -> {
            if (op == null) {
                throw ProblemException.notFound("STAKE_OP_NOT_FOUND", "no stake operation " + opId);
            }
            if ("DONE".equals(op.state())) {
                return view(op);
            }
            var debit = LedgerClient.ref(op.userId(), op.kind() == Kind.STAKE ? AccountKind.ACCOUNT_KIND_USER : AccountKind.ACCOUNT_KIND_STAKING_CUSTODY);
            var credit = LedgerClient.ref(op.userId(), op.kind() == Kind.STAKE ? AccountKind.ACCOUNT_KIND_STAKING_CUSTODY : AccountKind.ACCOUNT_KIND_UNBONDING);
            return ledger.transfer(LedgerClient.transfer(op.id(), debit, credit, op.token(), op.amount(), op.kind().name(),
                    "deployment:" + op.deploymentId()))
                    .onFailure().call(e -> ServiceCalls.definitive(e) ? forget(op) : Uni.createFrom().voidItem())
                    .onFailure().transform(e -> {
                        ProblemException p = GrpcErrors.toProblem(e);
                        if (p.status() >= 500) {
                            return new ProblemException(503, "LEDGER_UNAVAILABLE",
                                    "the ledger did not answer; the operation is recorded and will complete (retry with the same idempotencyKey)");
                        }
                        return p;
                    })
                    .flatMap(result -> Panache.withTransaction(() -> apply(op, result)))
                    .flatMap(v -> Panache.withSession(() -> load(opId)).flatMap(this::view));
        });
    }

    /** The ledger refused for good: the intent and its idempotency key go, as if the request never came. */
    private Uni<Void> forget(Op op) {
        return Panache.withTransaction(() -> Panache.getSession().flatMap(s -> s.createNativeQuery(
                "DELETE FROM stake_op WHERE id = ?1 AND state = 'PENDING'").setParameter(1, op.id()).executeUpdate()
                .flatMap(n -> s.createNativeQuery("DELETE FROM fomo_idempotency WHERE scope = ?1 AND idem_key = ?2")
                        .setParameter(1, op.idemScope()).setParameter(2, op.idemKey()).executeUpdate())))
                .replaceWithVoid();
    }

    /** Records a transfer the ledger applied, exactly once (the PENDING → DONE update decides). */
    Uni<Void> apply(Op op, TransferResult result) {
        Instant at = result.hasCreatedAt()
                ? Instant.ofEpochSecond(result.getCreatedAt().getSeconds(), result.getCreatedAt().getNanos())
                : Instant.now();
        BigInteger delta = op.kind() == Kind.STAKE ? op.amount() : op.amount().negate();
        return Panache.getSession().flatMap(s -> s.createNativeQuery(
                "UPDATE stake_op SET state = 'DONE', ledger_at = ?2, done_at = now() WHERE id = ?1 AND state = 'PENDING'")
                .setParameter(1, op.id()).setParameter(2, Db.ts(at)).executeUpdate()
                .flatMap(updated -> {
                    if (updated == 0) {
                        return Uni.createFrom().voidItem();
                    }
                    return s.createNativeQuery("""
                            INSERT INTO stake_position (user_id, deployment_id, staked, sequence, updated_at) VALUES (?1, ?2, 0, 0, now())
                            ON CONFLICT (user_id, deployment_id) DO NOTHING""")
                            .setParameter(1, op.userId()).setParameter(2, op.deploymentId()).executeUpdate()
                            .flatMap(x -> s.createNativeQuery("""
                                    UPDATE stake_position SET staked = staked + ?3, sequence = sequence + 1, updated_at = now()
                                    WHERE user_id = ?1 AND deployment_id = ?2""")
                                    .setParameter(1, op.userId()).setParameter(2, op.deploymentId()).setParameter(3, Db.num(delta))
                                    .executeUpdate())
                            .flatMap(x -> s.createNativeQuery("""
                                    INSERT INTO stake_change (op_id, user_id, deployment_id, delta, changed_at) VALUES (?1, ?2, ?3, ?4, ?5)""")
                                    .setParameter(1, op.id()).setParameter(2, op.userId()).setParameter(3, op.deploymentId())
                                    .setParameter(4, Db.num(delta)).setParameter(5, Db.ts(at)).executeUpdate())
                            .flatMap(x -> op.kind() == Kind.UNSTAKE
                                    ? s.createNativeQuery("""
                                            INSERT INTO unbonding (id, user_id, deployment_id, amount, release_at, state)
                                            VALUES (?1, ?2, ?3, ?4, ?5, 'UNBONDING')""")
                                            .setParameter(1, op.id()).setParameter(2, op.userId()).setParameter(3, op.deploymentId())
                                            .setParameter(4, Db.num(op.amount())).setParameter(5, Db.ts(at.plus(config.unbonding())))
                                            .executeUpdate()
                                    : Uni.createFrom().item(0))
                            .flatMap(x -> s.createNativeQuery(
                                    "SELECT staked, sequence FROM stake_position WHERE user_id = ?1 AND deployment_id = ?2", Object[].class)
                                    .setParameter(1, op.userId()).setParameter(2, op.deploymentId()).getSingleResult())
                            .flatMap(row -> {
                                BigInteger staked = Db.units(row[0]);
                                long sequence = ((Number) row[1]).longValue();
                                // SPEC §6: "Billing must know a user's discount without a call on its hot path".
                                return outbox.enqueue("StakeChanged:" + op.id(), new StakeChanged(op.userId(), op.deploymentId(),
                                        LedgerClient.whole(op.token(), staked), tiers.discountBps(staked), sequence, at));
                            })
                            .replaceWithVoid();
                }));
    }

    Uni<Op> load(String opId) {
        return Panache.getSession().flatMap(s -> s.createNativeQuery("""
                SELECT o.id, o.kind, o.user_id, o.deployment_id, d.symbol, o.amount, o.state, o.idem_scope, o.idem_key
                FROM stake_op o JOIN deployment d ON d.id = o.deployment_id WHERE o.id = ?1""", Object[].class)
                .setParameter(1, opId).getResultList())
                .map(rows -> {
                    if (rows.isEmpty()) {
                        return null;
                    }
                    Object[] r = rows.get(0);
                    return new Op((String) r[0], Kind.valueOf((String) r[1]), (String) r[2], (String) r[3], (String) r[4],
                            Db.units(r[5]), (String) r[6], (String) r[7], (String) r[8]);
                });
    }

    private Uni<StakeOpView> view(Op op) {
        return Panache.withSession(() -> staked(op.userId(), op.deploymentId())
                .flatMap(staked -> Panache.getSession().flatMap(s -> s.createNativeQuery(
                        "SELECT release_at FROM unbonding WHERE id = ?1", Object.class).setParameter(1, op.id()).getResultList())
                        .map(rows -> new StakeOpView(op.id(), op.kind().name(), op.deploymentId(), op.symbol(),
                                LedgerClient.whole(op.token(), op.amount()), op.state(), LedgerClient.whole(op.token(), staked),
                                tiers.discountBps(staked), rows.isEmpty() ? null : Db.instant(rows.get(0))))));
    }

    private Uni<Boolean> keyUsed(String scope, String key) {
        return Panache.getSession().flatMap(s -> s.createNativeQuery(
                "SELECT count(*) FROM fomo_idempotency WHERE scope = ?1 AND idem_key = ?2", Long.class)
                .setParameter(1, scope).setParameter(2, key).getSingleResult()).map(n -> n > 0);
    }

    Uni<BigInteger> staked(String userId, String deploymentId) {
        return Panache.getSession().flatMap(s -> s.createNativeQuery(
                "SELECT staked FROM stake_position WHERE user_id = ?1 AND deployment_id = ?2", Object.class)
                .setParameter(1, userId).setParameter(2, deploymentId).getResultList())
                .map(rows -> rows.isEmpty() ? BigInteger.ZERO : Db.units(rows.get(0)));
    }

    /** Stake operations still PENDING since before {@code before} (their request died): for the resumer. */
    public Uni<List<String>> stalePending(Instant before, int limit) {
        return Panache.withSession(() -> Panache.getSession().flatMap(s -> s.createNativeQuery(
                "SELECT id FROM stake_op WHERE state = 'PENDING' AND created_at < ?1 ORDER BY created_at LIMIT ?2", String.class)
                .setParameter(1, Db.ts(before)).setParameter(2, limit).getResultList()));
    }

    // ---- GET /api/v1/stakes/me ----

    public record UnbondingView(String id, String amount, Instant releaseAt, String state) {
    }

    public record PositionView(String deploymentId, String symbol, String staked, String unbonding, int discountBps,
            List<UnbondingView> unbondings) {
    }

    public record MyStakes(String userId, List<PositionView> stakes) {
    }

    public Uni<MyStakes> mine(String userId) {
        return Panache.withSession(() -> Panache.getSession().flatMap(s -> s.createNativeQuery("""
                SELECT p.deployment_id, d.symbol, p.staked FROM stake_position p JOIN deployment d ON d.id = p.deployment_id
                WHERE p.user_id = ?1 ORDER BY p.deployment_id""", Object[].class).setParameter(1, userId).getResultList()
                .flatMap(positions -> s.createNativeQuery("""
                        SELECT u.deployment_id, u.id, u.amount, u.release_at, u.state FROM unbonding u
                        WHERE u.user_id = ?1 AND u.state <> 'RELEASED' ORDER BY u.release_at, u.id""", Object[].class)
                        .setParameter(1, userId).getResultList()
                        .map(unbondings -> {
                            Map<String, List<Object[]>> byDeployment = new LinkedHashMap<>();
                            for (Object[] u : unbondings) {
                                byDeployment.computeIfAbsent((String) u[0], x -> new ArrayList<>()).add(u);
                            }
                            List<PositionView> views = new ArrayList<>();
                            for (Object[] p : positions) {
                                Token token = Token.modelToken((String) p[1]);
                                BigInteger staked = Db.units(p[2]);
                                BigInteger unbondingTotal = BigInteger.ZERO;
                                List<UnbondingView> list = new ArrayList<>();
                                for (Object[] u : byDeployment.getOrDefault((String) p[0], List.of())) {
                                    BigInteger amount = Db.units(u[2]);
                                    unbondingTotal = unbondingTotal.add(amount);
                                    list.add(new UnbondingView((String) u[1], LedgerClient.whole(token, amount), Db.instant(u[3]), (String) u[4]));
                                }
                                views.add(new PositionView((String) p[0], (String) p[1], LedgerClient.whole(token, staked),
                                        LedgerClient.whole(token, unbondingTotal), tiers.discountBps(staked), list));
                            }
                            return new MyStakes(userId, views);
                        }))));
    }

    static void logResumeFailure(String what, String id, Throwable e) {
        LOG.warnf("resuming %s %s failed (retried later): %s", what, id, e.getMessage());
    }
}
