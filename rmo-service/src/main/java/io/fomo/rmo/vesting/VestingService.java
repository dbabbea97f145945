package io.fomo.rmo.vesting;

import java.math.BigInteger;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

import io.fomo.shared.db.Db;
import io.fomo.shared.db.Tx;
import io.fomo.shared.errors.ErrorCode;
import io.fomo.shared.grpc.GrpcErrors;
import io.fomo.shared.ledger.LedgerAccount;
import io.fomo.shared.ledger.LedgerAccount.Kind;
import io.fomo.shared.ledger.LedgerCall;
import io.fomo.shared.ledger.LedgerClient;
import io.fomo.shared.ledger.LedgerResults.Transferred;
import io.fomo.shared.money.Token;
import io.fomo.shared.web.IdempotencyKeys;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The operator allocation's vesting (SPEC §3: cliff, then linear): read it, claim what vested.
 *
 * <p>A claim is fomo-shared's {@link LedgerCall} recipe (issue #18; no transaction is open across the ledger call):
 * <ol type="a">
 * <li>intent, one transaction with the idempotency key: the vesting row locked, the claimable amount computed, the
 * claim recorded CLAIMING with its transfer id {@code vesting:<offeringId>:from:<claimed so far>} and counted in the
 * vesting's claimed total (so a later claim starts after it);</li>
 * <li>the ledger's {@code Transfer} with that id (a second call replays the first);</li>
 * <li>result, a second transaction: CLAIMED; a definitive refusal deletes the claim and its key again (nothing moved,
 * nothing written) and reaches the caller.</li>
 * </ol>
 * A crash or a ledger outage between (a) and (c) leaves a CLAIMING row: {@link VestingClaimResumeJob} finishes it, and
 * so does a retry with the same key (which answers the recorded claim). "Claimed so far" is the larger of the recorded
 * total and what the ledger has paid out (total − the VESTING account's balance, read before the intent): a claim made
 * before the recipe whose ledger transfer committed but whose database commit was lost is therefore counted, and never
 * paid twice.
 */
@ApplicationScoped
public class VestingService {

    record Fingerprint(String idempotencyKey) {
    }

    /** (a)'s product: the recorded claim (none when nothing was claimable) and the answer the idempotency key keeps. */
    record Intent(Optional<VestingClaim> claim, VestingView.Claim answer) {
    }

    /** What the result step hands back: the answer, or the refusal that deleted the claim (after its commit). */
    record Outcome(VestingView.Claim answer, RuntimeException refusal) {
        VestingView.Claim orThrow() {
            if (refusal != null) {
                throw refusal;
            }
            return answer;
        }
    }

    /** Thrown by the test hook: the claim stops after the ledger moved the MT, as if the process died there. */
    public static class SimulatedCrash extends RuntimeException {
        public SimulatedCrash() {
            super("simulated crash between a vesting claim's ledger transfer and its result");
        }
    }

    @Inject
    Db db;

    @Inject
    VestingStore store;

    @Inject
    LedgerClient ledger;

    @Inject
    IdempotencyKeys idempotency;

    private final AtomicBoolean crashAfterTransfer = new AtomicBoolean();

    private LedgerCall<Intent, Transferred, Outcome> payout;

    @PostConstruct
    void init() {
        payout = new LedgerCall<>(db, "rmo.vesting-claim", new LedgerCall.Steps<>() {
            @Override
            public Uni<Transferred> call(Intent intent) {
                Optional<VestingClaim> c = intent.claim();
                if (c.isEmpty() || c.get().state() == VestingClaimState.CLAIMED) {
                    return Uni.createFrom().nullItem(); // nothing claimable, or a replay of a finished claim
                }
                return ledger.transfer(c.get().transfer()).onItem().invoke(t -> {
                    if (crashAfterTransfer.compareAndSet(true, false)) {
                        throw new SimulatedCrash();
                    }
                });
            }

            @Override
            public Uni<Outcome> result(Tx tx, Intent intent, Transferred t) {
                Outcome done = new Outcome(intent.answer(), null);
                return intent.claim().filter(c -> c.state() == VestingClaimState.CLAIMING)
                        .map(c -> store.markClaimed(tx, c.id()).replaceWith(done))
                        .orElseGet(() -> Uni.createFrom().item(done));
            }

            @Override
            public Uni<Outcome> refused(Tx tx, Intent intent, Throwable refusal) {
                return store.forget(tx, intent.claim().orElseThrow()).flatMap(n -> n == 0
                        ? Uni.createFrom().failure(refusal) // a later claim counts it: it stays for the resumer
                        : Uni.createFrom().item(new Outcome(null, GrpcErrors.toProblem(refusal))));
            }
        });
    }

    /** Test hook: the next claim stops after its ledger transfer, before its result (the resumer or a retry finishes it). */
    public void crashOnceAfterTransfer() {
        crashAfterTransfer.set(true);
    }

    /** The vesting of an offering; {@code mayRead} decides on its beneficiary. */
    public Uni<VestingView> view(String offeringId, Predicate<String> mayRead) {
        Instant now = Instant.now();
        return db.session(tx -> store.find(tx, offeringId, false)).map(v -> found(offeringId, v)).flatMap(v -> {
            if (!mayRead.test(v.beneficiary())) {
                throw ErrorCode.FORBIDDEN.problem("only the beneficiary or an operator may read this vesting");
            }
            return claimedInLedger(v).map(claimed -> view(offeringId, v, claimed, now));
        });
    }

    /** Moves what vested and was not claimed from (me, MT, VESTING) to (me, MT, USER), once per idempotency key. */
    public Uni<VestingView.Claim> claim(String offeringId, String me, String idempotencyKey) {
        IdempotencyKeys.requireKey(idempotencyKey);
        return db.session(tx -> store.find(tx, offeringId, false)).map(v -> beneficiary(offeringId, v, me))
                .flatMap(this::claimedInLedger)
                .flatMap(paidOut -> payout.start(tx -> intent(tx, offeringId, me, idempotencyKey, paidOut)))
                .onFailure().transform(GrpcErrors::toProblem)
                .map(Outcome::orThrow);
    }

    /** (a): the same key answers its claim; a new key records what is claimable now. */
    private Uni<Intent> intent(Tx tx, String offeringId, String me, String key, BigInteger paidOut) {
        return idempotency.once(tx, VestingClaim.idemScope(offeringId, me), key, new Fingerprint(null), VestingView.Claim.class,
                () -> store.find(tx, offeringId, true).map(v -> beneficiary(offeringId, v, me)).flatMap(v -> {
                    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
                    BigInteger claimed = v.claimed().max(paidOut);
                    BigInteger amount = v.schedule().claimableAt(now, claimed);
                    if (amount.signum() == 0) {
                        return Uni.createFrom().item(new VestingView.Claim(offeringId, v.symbol(), "0",
                                VestingView.mt(claimed), null, now));
                    }
                    return store.insertClaiming(tx, new VestingClaim(VestingClaim.transferId(offeringId, claimed), offeringId,
                            me, v.symbol(), amount, claimed.add(amount), key, VestingClaimState.CLAIMING, now))
                            .map(VestingClaim::view);
                }))
                .flatMap(answer -> answer.transferId() == null
                        ? Uni.createFrom().item(new Intent(Optional.empty(), answer))
                        : store.claim(tx, answer.transferId()).map(c -> new Intent(c, answer)));
    }

    /** The resumer: finishes claims still CLAIMING since before {@code before}. Answers how many it finished. */
    public Uni<Integer> resume(Instant before, int limit) {
        return payout.resume(tx -> store.claiming(tx, before, limit)
                .map(claims -> claims.stream().map(c -> new Intent(Optional.of(c), c.view())).toList()));
    }

    private static VestingStore.Vesting found(String offeringId, Optional<VestingStore.Vesting> v) {
        return v.orElseThrow(() -> ErrorCode.VESTING_NOT_FOUND.problem("no vesting for offering " + offeringId + " (it is not live, or has no operator allocation)"));
    }

    private static VestingStore.Vesting beneficiary(String offeringId, Optional<VestingStore.Vesting> v, String me) {
        VestingStore.Vesting found = found(offeringId, v);
        if (!found.beneficiary().equals(me)) {
            throw ErrorCode.FORBIDDEN.problem("only the beneficiary may claim this vesting");
        }
        return found;
    }

    /** total − the VESTING account's balance: what the ledger has paid out. */
    private Uni<BigInteger> claimedInLedger(VestingStore.Vesting v) {
        return ledger.account(LedgerAccount.of(v.beneficiary(), Kind.VESTING), Token.modelToken(v.symbol()))
                .onFailure().transform(GrpcErrors::toProblem)
                .map(a -> v.total().subtract(a.balance()));
    }

    private static VestingView view(String offeringId, VestingStore.Vesting v, BigInteger claimed, Instant now) {
        VestingSchedule s = v.schedule();
        Instant cliffEnd = v.start().plusSeconds(v.cliffS());
        return new VestingView(offeringId, v.beneficiary(), v.symbol(), VestingView.mt(v.total()), VestingView.mt(s.vestedAt(now)),
                VestingView.mt(claimed), VestingView.mt(s.claimableAt(now, claimed)), v.start(), cliffEnd,
                cliffEnd.plusSeconds(v.durationS()));
    }
}
