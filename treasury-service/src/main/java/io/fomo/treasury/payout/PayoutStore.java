package io.fomo.treasury.payout;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.fomo.shared.db.Db;
import io.fomo.shared.db.DbRow;
import io.fomo.shared.db.Tx;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** All SQL of withdrawals, payouts, the local processor's payments and the payout audit. */
@ApplicationScoped
public class PayoutStore {

    static final String COLUMNS = """
            id, kind, scope, idempotency_key, request_hash, owner, debit_kind, token, amount, destination, deployment_id,
            state, failure, pending_id, attempts, claimed_at, decided_by, decided_at, created_at, updated_at""";

    @Inject
    Db db;

    // ---------------------------------------------------------------- opening

    /** Serializes the openings of one scope (a user's withdrawals) until the transaction ends. */
    public Uni<Void> lockScope(Tx tx, String scope) {
        return tx.rows("SELECT pg_advisory_xact_lock(hashtextextended($1, 21)) AS locked", "payout:" + scope)
                .replaceWithVoid();
    }

    public Uni<Optional<DbRow>> byKey(Tx tx, String scope, String key) {
        return tx.first("SELECT " + COLUMNS + " FROM payout WHERE scope = $1 AND idempotency_key = $2", scope, key);
    }

    /** The user's withdrawals of {@code token} created on {@code at}'s UTC day that still count (not FAILED/REJECTED). */
    public Uni<BigInteger> countedToday(Tx tx, String owner, String token, Instant at) {
        return tx.one("""
                SELECT coalesce(sum(amount), 0) AS total FROM payout
                 WHERE kind = 'WITHDRAWAL' AND owner = $1 AND token = $2
                   AND utc_day = ($3::timestamptz AT TIME ZONE 'UTC')::date AND state NOT IN ('FAILED', 'REJECTED')""",
                owner, token, at).map(r -> r.units("total"));
    }

    public Uni<DbRow> insert(Tx tx, String id, PayoutKind kind, String scope, String key, String hash, String owner,
            String token, BigInteger amount, String destination, String deploymentId, PayoutState state,
            String pendingId, Instant now) {
        return tx.one("INSERT INTO payout (id, kind, scope, idempotency_key, request_hash, owner, debit_kind, token, "
                + "amount, destination, deployment_id, state, pending_id, utc_day, created_at, updated_at) "
                + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, ($14::timestamptz AT TIME ZONE 'UTC')::date, "
                + "$14, $14) RETURNING " + COLUMNS,
                id, kind.name(), scope, key, hash, owner, kind.debit().name(), token, amount, destination,
                deploymentId, state.name(), pendingId, now);
    }

    // ---------------------------------------------------------------- reads

    public Uni<Optional<DbRow>> byId(String id) {
        return db.session(tx -> tx.first("SELECT " + COLUMNS + " FROM payout WHERE id = $1", id));
    }

    public Uni<Optional<DbRow>> lockById(Tx tx, String id) {
        return tx.first("SELECT " + COLUMNS + " FROM payout WHERE id = $1 FOR UPDATE", id);
    }

    /** Rows newest first, filtered by kind, owner and state (each optional), at most {@code limit}. */
    public Uni<List<DbRow>> list(PayoutKind kind, boolean withdrawals, String owner, PayoutState state, int limit) {
        return db.session(tx -> tx.rows("SELECT " + COLUMNS + " FROM payout"
                + " WHERE ($1::text IS NULL OR kind = $1) AND ($2 OR kind <> 'WITHDRAWAL')"
                + " AND ($3::text IS NULL OR owner = $3) AND ($4::text IS NULL OR state = $4)"
                + " ORDER BY created_at DESC, id DESC LIMIT $5",
                kind == null ? null : kind.name(), withdrawals, owner, state == null ? null : state.name(), limit));
    }

    // ---------------------------------------------------------------- state changes

    public Uni<DbRow> decide(Tx tx, String id, PayoutState to, String failure, String operator, Instant now) {
        return tx.one("UPDATE payout SET state = $2, failure = $3, decided_by = $4, decided_at = $5, updated_at = $5"
                + " WHERE id = $1 RETURNING " + COLUMNS, id, to.name(), failure, operator, now);
    }

    public Uni<DbRow> settle(Tx tx, String id, PayoutState to, String failure, Instant now) {
        return tx.one("UPDATE payout SET state = $2, failure = $3, updated_at = $4 WHERE id = $1 RETURNING " + COLUMNS,
                id, to.name(), failure, now);
    }

    /**
     * Claims (HELD or PAYING past its lease → PAYING, a new lease) the row {@code id} or, with {@code id} null, up to
     * {@code limit} due rows oldest first, skipping rows another worker holds.
     */
    public Uni<List<DbRow>> claim(String id, Instant leaseBefore, Instant now, int limit) {
        return db.transaction(tx -> tx.rows("""
                WITH due AS (
                    SELECT id FROM payout
                     WHERE ($1::text IS NULL OR id = $1)
                       AND (state = 'HELD' OR (state = 'PAYING' AND claimed_at < $2))
                     ORDER BY created_at LIMIT $4 FOR UPDATE SKIP LOCKED)
                UPDATE payout p SET state = 'PAYING', claimed_at = $3, attempts = p.attempts + 1, updated_at = $3
                  FROM due WHERE p.id = due.id
                RETURNING\s""" + prefixed(), id, leaseBefore, now, limit));
    }

    private static String prefixed() {
        StringBuilder sb = new StringBuilder();
        for (String c : COLUMNS.split(",")) {
            if (!sb.isEmpty()) {
                sb.append(", ");
            }
            sb.append("p.").append(c.trim());
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- the local processor

    public Uni<Optional<DbRow>> payment(String payoutId) {
        return db.session(tx -> tx.first(
                "SELECT payout_id, token, amount, destination, paid_at FROM payout_processor_payment WHERE payout_id = $1",
                payoutId));
    }

    /** Records a payment once per payoutId (its own transaction); answers the recorded one. */
    public Uni<DbRow> recordPayment(String payoutId, String token, BigInteger amount, String destination, Instant now) {
        return db.transaction(tx -> tx.update("INSERT INTO payout_processor_payment (payout_id, token, amount, destination,"
                + " paid_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (payout_id) DO NOTHING",
                payoutId, token, amount, destination, now)
                .flatMap(x -> tx.one("SELECT payout_id, token, amount, destination, paid_at"
                        + " FROM payout_processor_payment WHERE payout_id = $1", payoutId)));
    }

    public Uni<List<DbRow>> payments(String payoutId) {
        return db.session(tx -> tx.rows("SELECT payout_id, token, amount, destination, paid_at FROM payout_processor_payment"
                + " WHERE ($1::text IS NULL OR payout_id = $1) ORDER BY paid_at DESC, payout_id LIMIT 1000", payoutId));
    }

    // ---------------------------------------------------------------- providers

    /** Per deployment with compute cost: Σ revenue_split.compute and Σ its provider payouts still counting. */
    public Uni<List<DbRow>> providerOwed() {
        return db.session(tx -> tx.rows("""
                SELECT s.deployment_id, s.compute,
                       coalesce((SELECT sum(p.amount) FROM payout p WHERE p.kind = 'PROVIDER_PAYOUT'
                                   AND p.deployment_id = s.deployment_id AND p.state NOT IN ('FAILED', 'REJECTED')), 0) AS paid
                  FROM (SELECT deployment_id, sum(compute) AS compute FROM revenue_split GROUP BY deployment_id) s
                 WHERE s.compute > 0 ORDER BY s.deployment_id"""));
    }

    /** The same for one deployment, inside the payout's transaction (after its lock). */
    public Uni<DbRow> providerOwed(Tx tx, String deploymentId) {
        return tx.one("""
                SELECT coalesce((SELECT sum(compute) FROM revenue_split WHERE deployment_id = $1), 0) AS compute,
                       coalesce((SELECT sum(p.amount) FROM payout p WHERE p.kind = 'PROVIDER_PAYOUT'
                                   AND p.deployment_id = $1 AND p.state NOT IN ('FAILED', 'REJECTED')), 0) AS paid""",
                deploymentId);
    }

    public Uni<Optional<DbRow>> providerDestination(Tx tx, String deploymentId) {
        return tx.first("SELECT destination FROM payout_provider_destination WHERE deployment_id = $1", deploymentId);
    }

    public Uni<Void> setProviderDestination(String deploymentId, String destination, Instant now) {
        return db.transaction(tx -> tx.update("INSERT INTO payout_provider_destination (deployment_id, destination, updated_at)"
                + " VALUES ($1, $2, $3) ON CONFLICT (deployment_id) DO UPDATE SET destination = $2, updated_at = $3",
                deploymentId, destination, now)).replaceWithVoid();
    }

    // ---------------------------------------------------------------- audit

    /** Every payout row with its pending transfer (absent: null state), the processor's payment count, in one snapshot. */
    public Uni<PayoutAudit.Snapshot> auditSnapshot() {
        return db.transaction(tx -> tx.update("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .flatMap(x -> tx.rows("""
                        SELECT p.id, p.kind, p.token, p.amount, p.state, p.pending_id, lp.state AS pending_state,
                               lp.amount AS pending_amount, lp.posted_amount,
                               (SELECT count(*) FROM payout_processor_payment m WHERE m.payout_id = p.id) AS payments
                          FROM payout p LEFT JOIN ledger_pending lp ON lp.pending_id = p.pending_id
                         ORDER BY p.created_at, p.id"""))
                .flatMap(rows -> tx.rows("""
                        SELECT lp.pending_id FROM ledger_pending lp
                         WHERE (lp.pending_id LIKE 'withdrawal:%' OR lp.pending_id LIKE 'payout:%')
                           AND NOT EXISTS (SELECT 1 FROM payout p WHERE p.pending_id = lp.pending_id)""")
                        .flatMap(orphans -> tx.rows("""
                                SELECT m.payout_id FROM payout_processor_payment m
                                 WHERE NOT EXISTS (SELECT 1 FROM payout p WHERE p.id = m.payout_id)""")
                                .flatMap(strays -> tx.rows("""
                                        SELECT t.token, coalesce(paid.total, 0) AS paid,
                                               coalesce(a.credits_posted - a.debits_posted, 0) AS bridge_out
                                          FROM (SELECT DISTINCT token FROM payout
                                                UNION SELECT token FROM ledger_account
                                                 WHERE owner = 'protocol' AND kind = 'BRIDGE_OUT') t
                                          LEFT JOIN (SELECT token, sum(amount) AS total FROM payout WHERE state = 'PAID'
                                                      GROUP BY token) paid ON paid.token = t.token
                                          LEFT JOIN ledger_account a ON a.owner = 'protocol' AND a.kind = 'BRIDGE_OUT'
                                                AND a.token = t.token
                                         ORDER BY t.token""")
                                        .map(tokens -> new PayoutAudit.Snapshot(rows, orphans, strays, tokens))))));
    }
}
