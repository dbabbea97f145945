package io.fomo.rmo.vesting;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Optional;

import io.fomo.shared.errors.ErrorCode;
import io.fomo.shared.db.Db;
import io.fomo.shared.grpc.GrpcErrors;
import io.fomo.shared.ledger.LedgerAccount;
import io.fomo.shared.ledger.LedgerAccount.Kind;
import io.fomo.shared.ledger.LedgerClient;
import io.fomo.shared.ledger.LedgerOp;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.fomo.shared.web.IdempotencyKeys;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The operator allocation's vesting (SPEC §3: cliff, then linear): read it, claim what vested.
 *
 * <p>What was claimed is read from the ledger (total − the VESTING account's balance; only claims debit it), and the
 * transfer id is {@code vesting:<offeringId>:from:<claimed so far>}: a claim whose ledger transfer committed but whose
 * database commit was lost is therefore counted, and never paid twice.
 */
@ApplicationScoped
public class VestingService {

    record Fingerprint(String idempotencyKey) {
    }

    @Inject
    Db db;

    @Inject
    VestingStore store;

    @Inject
    LedgerClient ledger;

    @Inject
    IdempotencyKeys idempotency;

    /** The vesting of an offering; {@code mayRead} decides on its beneficiary. */
    public Uni<VestingView> view(String offeringId, java.util.function.Predicate<String> mayRead) {
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
        return db.transaction(tx -> idempotency.once(tx, "vesting:" + offeringId + ":" + me, idempotencyKey,
                new Fingerprint(null), VestingView.Claim.class,
                () -> store.find(tx, offeringId, true).map(v -> found(offeringId, v)).flatMap(v -> {
                    if (!v.beneficiary().equals(me)) {
                        throw ErrorCode.FORBIDDEN.problem("only the beneficiary may claim this vesting");
                    }
                    Instant now = Instant.now();
                    return claimedInLedger(v).flatMap(claimed -> {
                        BigInteger amount = v.schedule().claimableAt(now, claimed);
                        if (amount.signum() == 0) {
                            return Uni.createFrom().item(new VestingView.Claim(offeringId, v.symbol(), "0", mt(claimed),
                                    null, now));
                        }
                        String id = "vesting:" + offeringId + ":from:" + claimed;
                        LedgerOp.Transfer t = new LedgerOp.Transfer(id, LedgerAccount.of(me, Kind.VESTING),
                                LedgerAccount.user(me), Token.modelToken(v.symbol()), amount, "VESTING_CLAIM",
                                "offering:" + offeringId);
                        BigInteger after = claimed.add(amount);
                        return ledger.transfer(t).onFailure().transform(GrpcErrors::toProblem)
                                .flatMap(x -> store.recordClaim(tx, offeringId, after))
                                .replaceWith(new VestingView.Claim(offeringId, v.symbol(), mt(amount), mt(after), id, now));
                    });
                })));
    }

    private static VestingStore.Vesting found(String offeringId, Optional<VestingStore.Vesting> v) {
        return v.orElseThrow(() -> ErrorCode.VESTING_NOT_FOUND.problem("no vesting for offering " + offeringId + " (it is not live, or has no operator allocation)"));
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
        return new VestingView(offeringId, v.beneficiary(), v.symbol(), mt(v.total()), mt(s.vestedAt(now)), mt(claimed),
                mt(s.claimableAt(now, claimed)), v.start(), cliffEnd, cliffEnd.plusSeconds(v.durationS()));
    }

    private static String mt(BigInteger units) {
        return Amount.ofUnits(Token.FLOCK, units).toDecimalString();
    }
}
