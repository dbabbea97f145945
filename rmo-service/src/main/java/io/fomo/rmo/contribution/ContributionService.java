package io.fomo.rmo.contribution;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;

import io.fomo.shared.errors.ErrorCode;
import io.fomo.shared.db.Db;
import io.fomo.shared.grpc.GrpcErrors;
import io.fomo.shared.ledger.LedgerAccount;
import io.fomo.shared.ledger.LedgerClient;
import io.fomo.shared.ledger.LedgerOp;
import io.fomo.shared.ledger.LedgerResults;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.fomo.shared.web.IdempotencyKeys;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Contributions (SPEC §3): "A user contributes FLOCK while OPEN. The FLOCK moves from the user's balance into the
 * offering's escrow as a pending (two-phase) transfer in the ledger ... Insufficient balance, closed window, caps
 * exceeded: clear error, nothing held. Contributions are final until close (no withdrawal)."
 *
 * <p>One database transaction per contribution: the idempotency key, a shared lock on the offering row (so the
 * close's claim, an UPDATE of that row, waits until every contribution in flight has committed and later ones see
 * the close started), the contributor row locked for the per-user cap, the ledger's {@code CreatePending}
 * (id {@code contribution:<offeringId>:<hash(user, key)>}, so a retry is a replay), then the rows. A refusal by the
 * ledger (e.g. {@code INSUFFICIENT_BALANCE}) rolls everything back: nothing is held and nothing written.
 */
@ApplicationScoped
public class ContributionService {

    record Fingerprint(String offeringId, String amount) {
    }

    @Inject
    Db db;

    @Inject
    ContributionStore store;

    @Inject
    IdempotencyKeys idempotency;

    @Inject
    LedgerClient ledger;

    public Uni<ContributionView> contribute(String userId, String offeringId, BigInteger amount, String key) {
        String pendingId = pendingId(offeringId, userId, key);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return db.transaction(tx -> idempotency.once("contribution:" + offeringId + ":" + userId, key,
                new Fingerprint(offeringId, flock(amount)), ContributionView.class,
                () -> store.termsForShare(tx, offeringId).flatMap(terms -> {
                    ContributionLimits.check(terms, amount, now);
                    return store.lockContributor(tx, offeringId, userId).flatMap(k -> {
                        ContributionLimits.checkCap(terms, k.total(), amount);
                        return hold(userId, offeringId, pendingId, amount)
                                .flatMap(x -> store.insert(tx, offeringId, userId, key, pendingId, amount, k, now))
                                .map(id -> new ContributionView(String.valueOf(id), offeringId, userId, flock(amount),
                                        pendingId, ContributionView.HELD, now));
                    });
                })));
    }

    /** The pending transfer (user, FLOCK, USER) → (offeringId, FLOCK, OFFERING_ESCROW), no expiry. */
    private Uni<Void> hold(String userId, String offeringId, String pendingId, BigInteger amount) {
        LedgerOp.CreatePending hold = new LedgerOp.CreatePending(pendingId, LedgerAccount.user(userId),
                LedgerAccount.of(offeringId, LedgerAccount.Kind.OFFERING_ESCROW), Token.FLOCK, amount,
                "OFFERING_CONTRIBUTION", "offering:" + offeringId, null);
        return ledger.createPending(hold)
                .onFailure().transform(GrpcErrors::toProblem)
                .map(p -> {
                    if (p.state() != LedgerResults.State.PENDING) {
                        throw ErrorCode.CONTRIBUTION_NOT_HELD.problem("this contribution's hold is " + p.state() + "; use a new idempotency key");
                    }
                    return null;
                });
    }

    /** {@code contribution:<offeringId>:<first 32 hex of SHA-256(user, key)>}: unique per (offering, user, key). */
    static String pendingId(String offeringId, String userId, String key) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest((userId + "\n" + key).getBytes(StandardCharsets.UTF_8));
            return "contribution:" + offeringId + ":" + HexFormat.of().formatHex(h).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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
