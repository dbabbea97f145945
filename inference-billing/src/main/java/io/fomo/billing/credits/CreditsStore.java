package io.fomo.billing.credits;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Optional;

import io.fomo.shared.db.DbRow;
import io.fomo.shared.db.Tx;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** All of the credits' SQL: top-ups, wallet credits, refunds, a user's balance, the reconciliation summary. */
@ApplicationScoped
public class CreditsStore {

    /**
     * The reconciliation's totals in one statement (see {@link CreditsReconciliationGrpcService}): available, held,
     * captured_unsettled, topped_up, topups, settled_charged, settled_windows, refunded, refunds (issue #21), as_of.
     */
    static final String SUMMARY = """
            WITH w AS (SELECT coalesce(sum(available), 0) AS available, coalesce(sum(held), 0) AS held,
                              coalesce(sum(topped_up), 0) AS topped_up, coalesce(sum(topups), 0)::bigint AS topups,
                              coalesce(sum(refunded), 0) AS refunded, coalesce(sum(refunds), 0)::bigint AS refunds FROM wallet),
                 s AS (SELECT coalesce(sum(charged), 0) AS charged, count(*) AS windows FROM window_settlement),
                 u AS (SELECT coalesce(sum(charged), 0) AS charged FROM capture
                       WHERE window_idx >= coalesce((SELECT open_window FROM billing_clock WHERE id = 1), -9223372036854775808)),
                 p AS (SELECT coalesce(sum(c.charged), 0) AS charged FROM window_pending wp
                       JOIN capture c ON c.window_idx = wp.window_idx AND c.deployment_id = wp.deployment_id)
            SELECT w.available, w.held, u.charged + p.charged AS captured_unsettled, w.topped_up, w.topups,
                   s.charged AS settled_charged, s.windows AS settled_windows,
                   w.refunded, w.refunds, now() AS as_of
            FROM w, s, u, p""";

    /** Records a top-up; 0 when (source, external id) was accepted before (nothing written). */
    Uni<Integer> insertTopup(Tx tx, String id, String source, String externalId, String userId, BigInteger amount, Instant at) {
        return tx.update("""
                INSERT INTO topup (id, source, external_id, user_id, amount, created_at) VALUES ($1, $2, $3, $4, $5, $6)
                ON CONFLICT (source, external_id) DO NOTHING""", id, source, externalId, userId, amount, at);
    }

    /** The first top-up of (source, external id): id, user_id, amount, created_at. */
    Uni<DbRow> topup(Tx tx, String source, String externalId) {
        return tx.one("SELECT id, user_id, amount, created_at FROM topup WHERE source = $1 AND external_id = $2",
                source, externalId);
    }

    /** Credits the wallet (made on the first top-up): free credits, the topped-up total and the top-up count. */
    Uni<Integer> credit(Tx tx, String userId, BigInteger amount) {
        return tx.update("""
                INSERT INTO wallet (user_id, available, topped_up, topups) VALUES ($1, $2, $2, 1)
                ON CONFLICT (user_id) DO UPDATE SET available = wallet.available + EXCLUDED.available,
                    topped_up = wallet.topped_up + EXCLUDED.topped_up, topups = wallet.topups + 1""", userId, amount);
    }

    /** The wallet's available and held, if the user has one. */
    Uni<Optional<DbRow>> wallet(Tx tx, String userId) {
        return tx.first("SELECT available, held FROM wallet WHERE user_id = $1", userId);
    }

    /** Locks the user's wallet row (the row Authorize, Capture, Release and expiry update): its available, if any. */
    Uni<java.util.Optional<DbRow>> lockWallet(Tx tx, String userId) {
        return tx.first("SELECT available, held FROM wallet WHERE user_id = $1 FOR UPDATE", userId);
    }

    /** The user's open holds: HELD and not yet expired (a hold past expires_at can no longer be captured). */
    Uni<Long> openHolds(Tx tx, String userId) {
        return tx.one("SELECT count(*) AS n FROM hold WHERE user_id = $1 AND state = 'HELD' AND expires_at > now()",
                userId).map(r -> r.longValue("n"));
    }

    /** Takes a refund out of the free credits, with the refunded total and count (V12); 1 when the wallet paid. */
    Uni<Integer> debitRefund(Tx tx, String userId, BigInteger amount) {
        return tx.update("""
                UPDATE wallet SET available = available - $2, refunded = refunded + $2, refunds = refunds + 1
                WHERE user_id = $1 AND available >= $2""", userId, amount).map(n -> {
            if (n != 1) {
                throw new IllegalStateException("the locked wallet of " + userId + " could not pay its refund");
            }
            return n;
        });
    }

    Uni<Integer> insertRefund(Tx tx, String id, String userId, String key, BigInteger amount, String destination,
            String hash, Instant at) {
        return tx.update("""
                INSERT INTO credits_refund (id, user_id, idempotency_key, amount, destination, request_hash, created_at)
                VALUES ($1::uuid, $2, $3, $4, $5, $6, $7)""", id, userId, key, amount, destination, hash, at);
    }

    /** The refund of (user, idempotency key), if any. */
    Uni<java.util.Optional<DbRow>> refundByKey(Tx tx, String userId, String key) {
        return tx.first("""
                SELECT id::text AS id, user_id, amount, destination, request_hash, created_at FROM credits_refund
                WHERE user_id = $1 AND idempotency_key = $2""", userId, key);
    }

    /** The user's refunds, newest first (at most 1000). */
    Uni<java.util.List<DbRow>> refunds(Tx tx, String userId) {
        return tx.rows("""
                SELECT id::text AS id, user_id, amount, destination, created_at FROM credits_refund
                WHERE user_id = $1 ORDER BY created_at DESC, id LIMIT 1000""", userId);
    }

    /** The summary of one snapshot: a read-only REPEATABLE READ transaction, then {@link #SUMMARY}. */
    Uni<DbRow> summary(Tx tx) {
        return tx.update("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").flatMap(x -> tx.one(SUMMARY));
    }
}
