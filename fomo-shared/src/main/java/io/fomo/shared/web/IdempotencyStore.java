package io.fomo.shared.web;

import java.util.Optional;

import io.fomo.shared.db.DbRow;
import io.fomo.shared.db.Tx;
import io.smallrye.mutiny.Uni;

/** The SQL of the shared {@code fomo_idempotency} table (db/fomo-shared), on the caller's transaction. */
final class IdempotencyStore {

    private IdempotencyStore() {
    }

    /** Inserts the key's row; false when it exists (the first request's, or a concurrent one's after it commits). */
    static Uni<Boolean> claim(Tx tx, String scope, String key, String requestHash) {
        return tx.update("""
                INSERT INTO fomo_idempotency (scope, idem_key, request_hash) VALUES ($1, $2, $3)
                ON CONFLICT (scope, idem_key) DO NOTHING""", scope, key, requestHash).map(inserted -> inserted == 1);
    }

    /** Stores the first request's answer. */
    static Uni<Void> answer(Tx tx, String scope, String key, String responseBody) {
        return tx.update("""
                UPDATE fomo_idempotency SET response_status = 200, response_body = $3
                WHERE scope = $1 AND idem_key = $2""", scope, key, responseBody).replaceWithVoid();
    }

    /** The first request's hash and answer ({@code request_hash}, {@code response_body}). */
    static Uni<Optional<DbRow>> first(Tx tx, String scope, String key) {
        return tx.first("SELECT request_hash, response_body FROM fomo_idempotency WHERE scope = $1 AND idem_key = $2",
                scope, key);
    }
}
