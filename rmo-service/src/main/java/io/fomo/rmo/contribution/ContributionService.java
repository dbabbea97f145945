package io.fomo.rmo.contribution;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.fomo.grpc.treasury.v1.AccountKind;
import io.fomo.grpc.treasury.v1.CreatePendingRequest;
import io.fomo.grpc.treasury.v1.TransferState;
import io.fomo.rmo.Sql;
import io.fomo.rmo.ledger.LedgerGateway;
import io.fomo.rmo.offering.OfferingTerms;
import io.fomo.shared.grpc.GrpcErrors;
import io.fomo.shared.web.IdempotencyKeys;
import io.fomo.shared.web.ProblemException;
import io.quarkus.hibernate.reactive.panache.Panache;
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

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ContributionView(String id, String offeringId, String userId, String amount, String pendingId,
            String state, Instant createdAt) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record MyContributions(String offeringId, String userId, String offeringState, String contributed,
            String mt, String spent, String refunded, List<ContributionView> contributions) {
    }

    record Fingerprint(String offeringId, String amount) {
    }

    @Inject
    IdempotencyKeys idempotency;

    @Inject
    LedgerGateway ledger;

    public Uni<ContributionView> contribute(String userId, String offeringId, BigInteger amount, String key) {
        String pendingId = pendingId(offeringId, userId, key);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return Panache.withTransaction(() -> idempotency.once("contribution:" + offeringId + ":" + userId, key,
                new Fingerprint(offeringId, Sql.units18(amount)), ContributionView.class,
                () -> Panache.getSession().flatMap(s -> s.createNativeQuery("""
                        SELECT state, close_phase, opens_at, closes_at, price, min_contribution, max_contribution
                        FROM offering WHERE id = ?1 FOR SHARE""", Object[].class).setParameter(1, offeringId)
                        .getResultList()
                        .flatMap(rows -> {
                            if (rows.isEmpty()) {
                                throw ProblemException.notFound("OFFERING_NOT_FOUND", "no offering " + offeringId);
                            }
                            Object[] o = rows.get(0);
                            check(o, amount, now);
                            return s.createNativeQuery("""
                                    INSERT INTO contributor (offering_id, user_id) VALUES (?1, ?2)
                                    ON CONFLICT (offering_id, user_id) DO NOTHING""")
                                    .setParameter(1, offeringId).setParameter(2, userId).executeUpdate()
                                    .flatMap(x -> s.createNativeQuery("""
                                            SELECT id, total FROM contributor WHERE offering_id = ?1 AND user_id = ?2 FOR UPDATE""",
                                            Object[].class).setParameter(1, offeringId).setParameter(2, userId)
                                            .getSingleResult())
                                    .flatMap(k -> {
                                        BigInteger before = Sql.big(k[1]);
                                        BigInteger max = Sql.big(o[6]);
                                        if (max != null && before.add(amount).compareTo(max) > 0) {
                                            throw ProblemException.conflict("CONTRIBUTION_ABOVE_MAX", "at most "
                                                    + Sql.units18(max) + " FLOCK per user; you contributed "
                                                    + Sql.units18(before) + " already");
                                        }
                                        return hold(userId, offeringId, pendingId, amount)
                                                .flatMap(x -> s.createNativeQuery("""
                                                        INSERT INTO contribution (offering_id, user_id, idem_key, pending_id, amount,
                                                          cum_before, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id""",
                                                        Long.class)
                                                        .setParameter(1, offeringId).setParameter(2, userId).setParameter(3, key)
                                                        .setParameter(4, pendingId).setParameter(5, Sql.dec(amount))
                                                        .setParameter(6, Sql.dec(before)).setParameter(7, Sql.ts(now))
                                                        .getSingleResult())
                                                .flatMap(id -> s.createNativeQuery("""
                                                        UPDATE contributor SET total = total + ?2, contributions = contributions + 1
                                                        WHERE id = ?1""").setParameter(1, ((Number) k[0]).longValue())
                                                        .setParameter(2, Sql.dec(amount)).executeUpdate()
                                                        .replaceWith(new ContributionView(String.valueOf(id), offeringId,
                                                                userId, Sql.units18(amount), pendingId, "HELD", now)));
                                    });
                        }))));
    }

    private static void check(Object[] o, BigInteger amount, Instant now) {
        String state = (String) o[0];
        Instant opensAt = Sql.instant(o[2]);
        Instant closesAt = Sql.instant(o[3]);
        if ("DRAFT".equals(state) || ("OPEN".equals(state) && now.isBefore(opensAt))) {
            throw ProblemException.conflict("OFFERING_NOT_OPEN", "the offering is not open for contributions yet");
        }
        if (!"OPEN".equals(state) || o[1] != null || !now.isBefore(closesAt)) {
            throw ProblemException.conflict("OFFERING_CLOSED", "the offering's window is closed");
        }
        BigInteger price = Sql.big(o[4]);
        BigInteger min = Sql.big(o[5]);
        BigInteger useful = price.add(OfferingTerms.ONE_MT).subtract(BigInteger.ONE).divide(OfferingTerms.ONE_MT);
        BigInteger floor = min == null ? useful : min.max(useful);
        if (amount.compareTo(floor) < 0) {
            throw ProblemException.badRequest("CONTRIBUTION_BELOW_MIN", "a contribution must be at least "
                    + Sql.units18(floor) + " FLOCK");
        }
    }

    /** The pending transfer (user, FLOCK, USER) → (offeringId, FLOCK, OFFERING_ESCROW), no expiry. */
    private Uni<Void> hold(String userId, String offeringId, String pendingId, BigInteger amount) {
        CreatePendingRequest req = CreatePendingRequest.newBuilder().setId(pendingId)
                .setDebit(LedgerGateway.account(userId, AccountKind.ACCOUNT_KIND_USER))
                .setCredit(LedgerGateway.account(offeringId, AccountKind.ACCOUNT_KIND_OFFERING_ESCROW))
                .setToken("FLOCK").setAmount(Sql.units18(amount)).setCode("OFFERING_CONTRIBUTION")
                .setReference("offering:" + offeringId).build();
        return ledger.call(stub -> stub.createPending(req))
                .onFailure().transform(GrpcErrors::toProblem)
                .map(p -> {
                    if (p.getState() != TransferState.TRANSFER_STATE_PENDING) {
                        throw ProblemException.conflict("CONTRIBUTION_NOT_HELD",
                                "this contribution's hold is " + p.getState() + "; use a new idempotency key");
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

    public Uni<MyContributions> mine(String userId, String offeringId) {
        return Panache.withSession(() -> Panache.getSession().flatMap(s -> s.createNativeQuery(
                "SELECT state FROM offering WHERE id = ?1", String.class).setParameter(1, offeringId).getResultList()
                .flatMap(st -> {
                    if (st.isEmpty()) {
                        throw ProblemException.notFound("OFFERING_NOT_FOUND", "no offering " + offeringId);
                    }
                    return s.createNativeQuery("SELECT total, mt, spent FROM contributor WHERE offering_id = ?1 AND user_id = ?2",
                            Object[].class).setParameter(1, offeringId).setParameter(2, userId).getResultList()
                            .flatMap(k -> s.createNativeQuery("""
                                    SELECT id, amount, pending_id, created_at FROM contribution
                                    WHERE offering_id = ?1 AND user_id = ?2 ORDER BY id""", Object[].class)
                                    .setParameter(1, offeringId).setParameter(2, userId).getResultList()
                                    .map(cs -> {
                                        List<ContributionView> list = new ArrayList<>();
                                        for (Object[] c : cs) {
                                            list.add(new ContributionView(String.valueOf(c[0]), offeringId, userId,
                                                    Sql.units18(Sql.big(c[1])), (String) c[2], null, Sql.instant(c[3])));
                                        }
                                        BigInteger total = k.isEmpty() ? BigInteger.ZERO : Sql.big(k.get(0)[0]);
                                        BigInteger mt = k.isEmpty() ? null : Sql.big(k.get(0)[1]);
                                        BigInteger spent = k.isEmpty() ? null : Sql.big(k.get(0)[2]);
                                        return new MyContributions(offeringId, userId, st.get(0), Sql.units18(total),
                                                Sql.units18(mt), Sql.units18(spent),
                                                spent == null ? null : Sql.units18(total.subtract(spent)), list);
                                    }));
                })));
    }
}
