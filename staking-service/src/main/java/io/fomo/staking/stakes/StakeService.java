package io.fomo.staking.stakes;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.fomo.shared.db.Db;
import io.fomo.shared.db.Tx;
import io.fomo.shared.errors.ErrorCode;
import io.fomo.shared.events.Outbox;
import io.fomo.shared.events.types.StakeChanged;
import io.fomo.shared.grpc.GrpcErrors;
import io.fomo.shared.ledger.LedgerAccount;
import io.fomo.shared.ledger.LedgerAccount.Kind;
import io.fomo.shared.ledger.LedgerCall;
import io.fomo.shared.ledger.LedgerClient;
import io.fomo.shared.ledger.LedgerOp;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.fomo.shared.web.IdempotencyKeys;
import io.fomo.shared.web.ProblemException;
import io.fomo.staking.StakingConfig;
import io.fomo.staking.deployments.Deployment;
import io.fomo.staking.deployments.DeploymentStore;
import io.fomo.staking.stakes.StakeViews.MyStakes;
import io.fomo.staking.stakes.StakeViews.OpRef;
import io.fomo.staking.stakes.StakeViews.PositionView;
import io.fomo.staking.stakes.StakeViews.StakeOpView;
import io.fomo.staking.stakes.StakeViews.UnbondingView;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Stake and unstake (SPEC §6): MT moves {@code (user, MT, USER) → (user, MT, STAKING_CUSTODY)} on a stake and
 * {@code STAKING_CUSTODY → UNBONDING} on an unstake (docs/DESIGN.md "Cross-service contracts"); the unbonding period
 * later returns it ({@link UnbondingService}).
 *
 * <p>No database transaction is held across the ledger call: (1) the intent is recorded as a PENDING {@code stake_op}
 * together with the idempotency key; (2) the ledger transfer runs with the op's deterministic id
 * ({@code stake:<uuid>} / {@code unstake:<uuid>}), so any retry is harmless; (3) the result is recorded in one
 * transaction: position, stake-change log (at the ledger's time), unbonding row and the {@code StakeChanged} event
 * (outbox). A refusal by the ledger (insufficient MT) removes the intent and the key: nothing moved, nothing kept. A
 * request that dies between (1) and (3) is completed by {@link io.fomo.staking.ResumeJob}.
 */
@ApplicationScoped
public class StakeService {

    /** Amount syntax is checked before the model is known: every MT has 18 decimals (SPEC §2). */
    static final Token ANY_MT = new Token("MT", Token.MODEL_TOKEN_DECIMALS);

    @Inject
    Db db;

    @Inject
    StakeStore store;

    @Inject
    DeploymentStore deployments;

    @Inject
    LedgerClient ledger;

    @Inject
    IdempotencyKeys idempotency;

    @Inject
    Outbox outbox;

    @Inject
    StakingConfig config;

    DiscountTiers tiers;

    /**
     * The shared recipe around local state (fomo-shared {@link LedgerCall}): (a) the PENDING intent ({@link #record}),
     * (b) the transfer with the op's id, (c) the result in a second transaction; a definitive refusal forgets the
     * intent and its key (nothing moved, nothing kept) and reaches the caller. {@link io.fomo.staking.ResumeJob} resumes.
     */
    LedgerCall<StakeOp, Instant, Throwable> transfer;

    @PostConstruct
    void init() {
        tiers = config.tiers();
        transfer = new LedgerCall<>(db, "staking.stake", new LedgerCall.Steps<>() {
            @Override
            public Uni<Instant> call(StakeOp op) {
                boolean stake = op.kind() == StakeOp.Kind.STAKE;
                // The ledger's time of the transfer: the stake-change log counts a stake at an epoch's end by it (SPEC §6
                // "stake > 0 at the epoch's end") and StakeChanged.asOf is it (a replay answers the first time).
                return ledger.transfer(new LedgerOp.Transfer(op.id(), LedgerAccount.of(op.userId(), stake ? Kind.USER : Kind.STAKING_CUSTODY),
                        LedgerAccount.of(op.userId(), stake ? Kind.STAKING_CUSTODY : Kind.UNBONDING), op.token(), op.amount(),
                        op.kind().name(), "deployment:" + op.deploymentId()))
                        .map(t -> t.createdAt() != null ? t.createdAt() : Instant.now());
            }

            @Override
            public Uni<Throwable> result(Tx tx, StakeOp op, Instant ledgerAt) {
                return apply(tx, op, ledgerAt).replaceWith((Throwable) null);
            }

            @Override
            public Uni<Throwable> refused(Tx tx, StakeOp op, Throwable refusal) {
                return store.forget(tx, op.id(), op.idemScope(), op.idemKey()).replaceWith(refusal);
            }
        });
    }

    public DiscountTiers tiers() {
        return tiers;
    }

    private record Found(boolean keyUsed, Deployment deployment) {
    }

    public Uni<StakeOpView> submit(StakeOp.Kind kind, String userId, StakeRequest body) {
        if (body == null) {
            throw ErrorCode.INVALID_REQUEST.problem("a JSON body {deploymentId, amount, idempotencyKey} is required");
        }
        String key = IdempotencyKeys.requireKey(body.idempotencyKey());
        if (body.deploymentId() == null || body.deploymentId().isBlank() || body.deploymentId().length() > 128) {
            throw ErrorCode.INVALID_DEPLOYMENT_ID.problem("deploymentId is required (1-128 characters)");
        }
        BigInteger units = Amount.parsePositive(ANY_MT, body.amount()).units();
        // The key's fingerprint is of the normalised request: "250.50" and "250.5" are the same request.
        StakeRequest request = new StakeRequest(body.deploymentId(), Amount.ofUnits(ANY_MT, units).toDecimalString(), key);
        String scope = kind.prefix() + userId;
        // Ledger ids are at most 128 characters: a name-based UUID of (user, key) keeps the id deterministic and short.
        String opId = kind.prefix() + UUID.nameUUIDFromBytes((scope + "\n" + key).getBytes(StandardCharsets.UTF_8));
        return db.session(tx -> store.keyUsed(tx, scope, key)
                .flatMap(used -> deployments.live(tx, body.deploymentId()).map(d -> new Found(used, d.orElse(null)))))
                .flatMap(found -> {
                    Deployment d = found.deployment();
                    if (found.keyUsed()) {
                        // A replay (or a reuse with another body): IdempotencyKeys decides without running the action.
                        return record(kind, userId, scope, key, request, opId, units, d);
                    }
                    if (d == null) {
                        throw ErrorCode.DEPLOYMENT_NOT_LIVE.problem(
                                "deployment " + body.deploymentId() + " is unknown or not live: only a live model's MT can be staked");
                    }
                    if (kind == StakeOp.Kind.STAKE && !d.takesNewStakes()) {
                        // SPEC 7a: its stakes remain (unstake and claims work), but nothing new goes in
                        throw ErrorCode.DEPLOYMENT_DELISTED.problem("deployment " + d.id() + " is " + d.status()
                                + ": it takes no new stakes (unstaking and claiming still work)");
                    }
                    return precheck(kind, userId, d, units).flatMap(v -> record(kind, userId, scope, key, request, opId, units, d));
                })
                .flatMap(ref -> complete(ref.id()));
    }

    private Uni<Void> precheck(StakeOp.Kind kind, String userId, Deployment d, BigInteger units) {
        if (kind == StakeOp.Kind.STAKE) {
            return ledger.available(LedgerAccount.user(userId), d.token())
                    .onFailure().transform(GrpcErrors::toProblem)
                    .map(available -> {
                        if (available.compareTo(units) < 0) {
                            throw ErrorCode.INSUFFICIENT_BALANCE.problem("only " + whole(d.token(), available)
                                    + " " + d.symbol() + " available to stake");
                        }
                        return null;
                    });
        }
        return db.session(tx -> store.staked(tx, userId, d.id())).map(staked -> {
            if (staked.compareTo(units) < 0) {
                throw ErrorCode.INSUFFICIENT_STAKE.problem("only " + whole(d.token(), staked) + " " + d.symbol() + " staked");
            }
            return null;
        });
    }

    /** (a) The intent, with the idempotency key, in one transaction. */
    private Uni<OpRef> record(StakeOp.Kind kind, String userId, String scope, String key, StakeRequest body, String opId,
            BigInteger units, Deployment d) {
        return db.transaction(tx -> idempotency.once(tx, scope, key, body, OpRef.class, () -> {
            if (d == null) {
                throw ErrorCode.DEPLOYMENT_NOT_LIVE.problem("deployment " + body.deploymentId() + " is unknown or not live");
            }
            return store.insertOp(tx, opId, kind, userId, d.id(), units, scope, key).replaceWith(new OpRef(opId));
        }));
    }

    /** (b) and (c): brings a recorded operation to its end (ledger call, then the result) and answers its view. Idempotent. */
    public Uni<StakeOpView> complete(String opId) {
        return db.session(tx -> store.load(tx, opId)).flatMap(op -> {
            if (op == null) {
                throw ErrorCode.STAKE_OP_NOT_FOUND.problem("no stake operation " + opId);
            }
            if (op.state() == StakeOpState.DONE) {
                return db.session(tx -> view(tx, op));
            }
            return transfer.finish(op)
                    .onFailure().transform(StakeService::ledgerProblem)
                    .flatMap(refusal -> refusal != null ? Uni.createFrom().failure(ledgerProblem(refusal))
                            : db.session(tx -> store.load(tx, opId).flatMap(done -> view(tx, done))));
        });
    }

    /** A ledger failure as the REST answer: its refusal as is, no answer as 503 (the operation completes later). */
    private static ProblemException ledgerProblem(Throwable e) {
        ProblemException p = GrpcErrors.toProblem(e);
        if (p.status() >= 500) {
            return ErrorCode.LEDGER_UNAVAILABLE.problem(
                    "the ledger did not answer; the operation is recorded and will complete (retry with the same idempotencyKey)");
        }
        return p;
    }

    /** Finishes stake operations still PENDING since before {@code before} (their request died): the resumer. */
    public Uni<Integer> resume(Instant before, int limit) {
        return transfer.resume(tx -> store.stalePending(tx, before, limit));
    }

    /** (c) Records a transfer the ledger applied at {@code at}, exactly once (the PENDING → DONE update decides). */
    Uni<Void> apply(Tx tx, StakeOp op, Instant at) {
        BigInteger delta = op.kind() == StakeOp.Kind.STAKE ? op.amount() : op.amount().negate();
        return store.markDone(tx, op.id(), at).flatMap(updated -> {
            if (updated == 0) {
                return Uni.createFrom().voidItem();
            }
            return store.addToPosition(tx, op.userId(), op.deploymentId(), delta)
                    .flatMap(x -> store.logChange(tx, op.id(), op.userId(), op.deploymentId(), delta, at))
                    .flatMap(x -> op.kind() == StakeOp.Kind.UNSTAKE
                            ? store.insertUnbonding(tx, op.id(), op.userId(), op.deploymentId(), op.amount(), at.plus(config.unbonding()))
                            : Uni.createFrom().voidItem())
                    .flatMap(x -> store.position(tx, op.userId(), op.deploymentId()))
                    // SPEC §6: "Billing must know a user's discount without a call on its hot path".
                    .flatMap(p -> outbox.enqueue(tx, "StakeChanged:" + op.id(), new StakeChanged(op.userId(), op.deploymentId(),
                            whole(op.token(), p.staked()), tiers.discountBps(p.staked()), p.sequence(), at)))
                    .replaceWithVoid();
        });
    }

    private Uni<StakeOpView> view(Tx tx, StakeOp op) {
        return store.staked(tx, op.userId(), op.deploymentId())
                .flatMap(staked -> store.releaseAt(tx, op.id())
                        .map(releaseAt -> new StakeOpView(op.id(), op.kind().name(), op.deploymentId(), op.symbol(),
                                whole(op.token(), op.amount()), op.state().name(), whole(op.token(), staked),
                                tiers.discountBps(staked), releaseAt.orElse(null))));
    }

    // ---- GET /api/v1/stakes/me ----

    public Uni<MyStakes> mine(String userId) {
        return db.session(tx -> store.positions(tx, userId)
                .flatMap(positions -> store.openUnbondings(tx, userId).map(unbondings -> {
                    Map<String, List<StakeStore.OpenUnbonding>> byDeployment = new LinkedHashMap<>();
                    for (StakeStore.OpenUnbonding u : unbondings) {
                        byDeployment.computeIfAbsent(u.deploymentId(), x -> new ArrayList<>()).add(u);
                    }
                    List<PositionView> views = new ArrayList<>();
                    for (StakeStore.Position p : positions) {
                        Token token = Token.modelToken(p.symbol());
                        BigInteger unbondingTotal = BigInteger.ZERO;
                        List<UnbondingView> list = new ArrayList<>();
                        for (StakeStore.OpenUnbonding u : byDeployment.getOrDefault(p.deploymentId(), List.of())) {
                            unbondingTotal = unbondingTotal.add(u.amount());
                            list.add(new UnbondingView(u.id(), whole(token, u.amount()), u.releaseAt(), u.state().name()));
                        }
                        views.add(new PositionView(p.deploymentId(), p.symbol(), whole(token, p.staked()),
                                whole(token, unbondingTotal), tiers.discountBps(p.staked()), list));
                    }
                    return new MyStakes(userId, views);
                })));
    }

    private static String whole(Token token, BigInteger units) {
        return Amount.ofUnits(token, units).toDecimalString();
    }
}
