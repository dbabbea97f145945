package io.fomo.rmo.contribution;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicBoolean;

import io.fomo.shared.db.Db;
import io.fomo.shared.db.Tx;
import io.fomo.shared.errors.ErrorCode;
import io.fomo.shared.grpc.GrpcErrors;
import io.fomo.shared.ledger.LedgerAccount;
import io.fomo.shared.ledger.LedgerCall;
import io.fomo.shared.ledger.LedgerClient;
import io.fomo.shared.ledger.LedgerOp;
import io.fomo.shared.ledger.LedgerResults.Pending;
import io.fomo.shared.ledger.LedgerResults.State;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Contributions (SPEC §3): "A user contributes FLOCK while OPEN. The FLOCK moves from the user's balance into the
 * offering's escrow as a pending (two-phase) transfer in the ledger ... Insufficient balance, closed window, caps
 * exceeded: clear error, nothing held. Contributions are final until close (no withdrawal)."
 *
 * <p>The hold is fomo-shared's {@link LedgerCall} recipe (issue #18; no transaction is open across the ledger call):
 * <ol type="a">
 * <li>intent, one transaction: a shared lock on the offering row (so the close's claim, an UPDATE of that row, waits
 * for intents in flight, and later ones see the close started), the contributor row locked for the per-user cap and
 * the order of the user's holds, then the contribution HOLDING with its pending id
 * {@code contribution:<offeringId>:<hash(user, key)>} (so every retry asks the ledger the same thing: a replay);</li>
 * <li>the ledger's {@code CreatePending};</li>
 * <li>result, a second transaction: HELD; a definitive refusal (e.g. {@code INSUFFICIENT_BALANCE}) deletes the row
 * again, so nothing is held and nothing written.</li>
 * </ol>
 * A crash or a ledger outage between (a) and (c) leaves a HOLDING row: {@link ContributionResumeJob} finishes it, a
 * retry with the same key finishes it, and the close finishes every HOLDING row of its offering before it counts T.
 * The idempotency key is the contribution's own {@code (offering, user, idem_key)}: the same key answers the same
 * contribution; with another amount {@code 409 IDEMPOTENCY_KEY_REUSED}.
 */
@ApplicationScoped
public class ContributionService {

    /** What the result step hands back: the contribution, or the refusal that deleted it (after its commit). */
    record Outcome(ContributionView view, RuntimeException refusal) {
        ContributionView orThrow() {
            if (refusal != null) {
                throw refusal;
            }
            return view;
        }
    }

    /** Thrown by the test hook: the request stops after its intent, as if the process died there. */
    public static class SimulatedCrash extends RuntimeException {
        public SimulatedCrash() {
            super("simulated crash after a contribution's intent");
        }
    }

    @Inject
    Db db;

    @Inject
    ContributionStore store;

    @Inject
    LedgerClient ledger;

    private final AtomicBoolean crashAfterIntent = new AtomicBoolean();

    private LedgerCall<ContributionHold, Pending, Outcome> hold;

    @PostConstruct
    void init() {
        hold = new LedgerCall<>(db, "rmo.contribution-hold", new LedgerCall.Steps<>() {
            @Override
            public Uni<Pending> call(ContributionHold h) {
                if (h.state() == ContributionState.HELD) {
                    return Uni.createFrom().nullItem(); // a replay of a finished contribution: nothing to ask
                }
                if (crashAfterIntent.compareAndSet(true, false)) {
                    return Uni.createFrom().failure(new SimulatedCrash());
                }
                return ledger.createPending(new LedgerOp.CreatePending(h.pendingId(), LedgerAccount.user(h.userId()),
                        LedgerAccount.of(h.offeringId(), LedgerAccount.Kind.OFFERING_ESCROW), Token.FLOCK, h.amount(),
                        "OFFERING_CONTRIBUTION", "offering:" + h.offeringId(), null));
            }

            @Override
            public Uni<Outcome> result(Tx tx, ContributionHold h, Pending p) {
                if (p != null && p.state() != State.PENDING) {
                    return store.forget(tx, h).replaceWith(new Outcome(null, ErrorCode.CONTRIBUTION_NOT_HELD.problem(
                            "this contribution's hold is " + p.state() + "; use a new idempotency key")));
                }
                return store.markHeld(tx, h.id()).replaceWith(new Outcome(view(h), null));
            }

            @Override
            public Uni<Outcome> refused(Tx tx, ContributionHold h, Throwable refusal) {
                return store.forget(tx, h).replaceWith(new Outcome(null, GrpcErrors.toProblem(refusal)));
            }
        });
    }

    /** Test hook: the next contribution stops after its intent (the resumer, a retry or the close finishes it). */
    public void crashOnceAfterIntent() {
        crashAfterIntent.set(true);
    }

    public Uni<ContributionView> contribute(String userId, String offeringId, BigInteger amount, String key) {
        String pendingId = pendingId(offeringId, userId, key);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return hold.start(tx -> intent(tx, userId, offeringId, amount, key, pendingId, now))
                .onFailure().transform(GrpcErrors::toProblem)
                .map(Outcome::orThrow);
    }

    /** (a): the same key answers its contribution; a new one is checked and recorded HOLDING. */
    private Uni<ContributionHold> intent(Tx tx, String userId, String offeringId, BigInteger amount, String key,
            String pendingId, Instant now) {
        return store.termsForShare(tx, offeringId).flatMap(terms -> store.lockContributor(tx, offeringId, userId)
                .flatMap(k -> store.findByKey(tx, offeringId, userId, key).flatMap(existing -> {
                    if (existing.isPresent()) {
                        if (existing.get().amount().compareTo(amount) != 0) {
                            throw ErrorCode.IDEMPOTENCY_KEY_REUSED.problem(
                                    "This idempotency key was already used with a different request");
                        }
                        return Uni.createFrom().item(existing.get());
                    }
                    ContributionLimits.check(terms, amount, now);
                    ContributionLimits.checkCap(terms, k.total(), amount);
                    return store.insertHolding(tx, offeringId, userId, key, pendingId, amount, k, now);
                })));
    }

    /** The resumer: finishes holds still HOLDING since before {@code before}. Answers how many it finished. */
    public Uni<Integer> resume(Instant before, int limit) {
        return hold.resume(tx -> store.holding(tx, before, limit));
    }

    /**
     * Finishes every hold of an offering still HOLDING (the close calls it before it counts T); answers how many are
     * left unfinished (the ledger unreachable): the close must not count while any is.
     */
    public Uni<Integer> finishHolds(String offeringId) {
        return hold.resume(tx -> store.holding(tx, offeringId))
                .flatMap(x -> db.session(tx -> store.holding(tx, offeringId)).map(java.util.List::size));
    }

    /** {@code contribution:<offeringId>:<first 32 hex of SHA-256(user, key)>}: unique per (offering, user, key). */
    public static String pendingId(String offeringId, String userId, String key) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest((userId + "\n" + key).getBytes(StandardCharsets.UTF_8));
            return "contribution:" + offeringId + ":" + HexFormat.of().formatHex(h).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ContributionView view(ContributionHold h) {
        return new ContributionView(String.valueOf(h.id()), h.offeringId(), h.userId(), flock(h.amount()), h.pendingId(),
                ContributionView.HELD, h.createdAt());
    }

    /** The caller's contributions to an offering, and after the close what they bought and got back. */
    public Uni<MyContributionsView> mine(String userId, String offeringId) {
        return db.session(tx -> store.offeringState(tx, offeringId).flatMap(state -> {
            String offeringState = state.orElseThrow(
                    () -> ErrorCode.OFFERING_NOT_FOUND.problem("no offering " + offeringId)).name();
            return store.totals(tx, offeringId, userId).flatMap(k -> store.contributions(tx, offeringId, userId)
                    .map(list -> {
                        BigInteger total = k.map(ContributionStore.Totals::total).orElse(BigInteger.ZERO);
                        BigInteger mt = k.map(ContributionStore.Totals::mt).orElse(null);
                        BigInteger spent = k.map(ContributionStore.Totals::spent).orElse(null);
                        return new MyContributionsView(offeringId, userId, offeringState, flock(total), nullable(mt),
                                nullable(spent), spent == null ? null : flock(total.subtract(spent)), list);
                    }));
        }));
    }

    private static String flock(BigInteger units) {
        return Amount.ofUnits(Token.FLOCK, units).toDecimalString();
    }

    private static String nullable(BigInteger units) {
        return units == null ? null : flock(units);
    }
}
