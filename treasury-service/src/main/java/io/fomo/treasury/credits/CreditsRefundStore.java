package io.fomo.treasury.credits;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Optional;

import io.fomo.shared.db.DbRow;
import io.fomo.shared.db.Tx;
import io.fomo.treasury.ledger.store.LedgerStore.Statement;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** All of the credits refunds' SQL (table {@code credits_refund}, V11). */
@ApplicationScoped
public class CreditsRefundStore {

    /** The refund's row, written with its ledger transfer (a planned execution's own write). */
    static Statement insert(String refundId, String userId, BigInteger amount, String destination, Instant appliedAt) {
        return new Statement("""
                INSERT INTO credits_refund (refund_id, user_id, amount, destination, applied_at)
                VALUES ($1, $2, $3::text::numeric, $4, $5)""", refundId, userId, amount.toString(), destination, appliedAt);
    }

    /** Whether the refund was applied before (its row exists). */
    static Statement byId(String refundId) {
        return new Statement("SELECT refund_id FROM credits_refund WHERE refund_id = $1", refundId);
    }

    Uni<Integer> withdrawalOpened(Tx tx, String refundId, String withdrawalId) {
        return tx.update("UPDATE credits_refund SET withdrawal_id = $2 WHERE refund_id = $1", refundId, withdrawalId);
    }

    Uni<Integer> withdrawalRefused(Tx tx, String refundId, String refusal) {
        return tx.update("UPDATE credits_refund SET withdrawal_refusal = $2 WHERE refund_id = $1", refundId, refusal);
    }

    Uni<Integer> savepoint(Tx tx) {
        return tx.update("SAVEPOINT credits_refund_withdrawal");
    }

    Uni<Integer> rollbackToSavepoint(Tx tx) {
        return tx.update("ROLLBACK TO SAVEPOINT credits_refund_withdrawal");
    }

    Uni<Integer> releaseSavepoint(Tx tx) {
        return tx.update("RELEASE SAVEPOINT credits_refund_withdrawal");
    }

    /** The refund's row, if applied. */
    public Uni<Optional<DbRow>> refund(Tx tx, String refundId) {
        return tx.first("""
                SELECT refund_id, user_id, amount, destination, withdrawal_id, withdrawal_refusal, applied_at
                FROM credits_refund WHERE refund_id = $1""", refundId);
    }
}
