package io.fomo.treasury.audit;

import java.util.List;
import java.util.function.Function;

import io.fomo.shared.db.Db;
import io.fomo.shared.db.DbRow;
import io.fomo.shared.db.Tx;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * All of the audit's SQL (issue #18): read-only queries that run together in one REPEATABLE READ, READ ONLY
 * transaction ({@link #snapshot}), so they see one consistent state while transfers go on.
 */
@ApplicationScoped
public class AuditStore {

    static final String CONSERVATION = """
            SELECT t.symbol, t.decimals,
              COALESCE(SUM(a.debits_posted - a.credits_posted) FILTER (WHERE a.kind = 'ISSUER'), 0) AS minted,
              COALESCE(SUM(a.credits_posted - a.debits_posted) FILTER (WHERE a.kind = 'BURN'), 0) AS burned,
              COALESCE(SUM(a.credits_posted - a.debits_posted) FILTER (WHERE a.kind NOT IN ('ISSUER', 'BURN')), 0) AS balances,
              COALESCE(SUM(a.debits_posted), 0) AS debits_posted, COALESCE(SUM(a.credits_posted), 0) AS credits_posted,
              COALESCE(SUM(a.debits_pending), 0) AS debits_pending, COALESCE(SUM(a.credits_pending), 0) AS credits_pending,
              COUNT(a.id) AS accounts,
              COUNT(a.id) FILTER (WHERE a.constrained AND a.credits_posted - a.debits_posted - a.debits_pending < 0)
                AS overdrawn
            FROM ledger_token t LEFT JOIN ledger_account a ON a.token = t.symbol
            WHERE $1::text[] IS NULL OR t.symbol = ANY($1)
            GROUP BY t.symbol, t.decimals ORDER BY t.symbol""";

    static final String JOURNAL = """
            WITH open_pending AS (
              SELECT t.debit_account_id, t.credit_account_id, t.amount FROM ledger_transfer t
              WHERE t.kind = 'PENDING'
                AND NOT EXISTS (SELECT 1 FROM ledger_transfer r WHERE r.pending_id = t.id AND r.kind IN ('POST', 'VOID', 'EXPIRE'))
            ), moves AS (
              SELECT debit_account_id AS account_id, amount AS dpo, 0::numeric AS cpo, 0::numeric AS dpe, 0::numeric AS cpe
                FROM ledger_transfer WHERE kind IN ('TRANSFER', 'POST')
              UNION ALL
              SELECT credit_account_id, 0, amount, 0, 0 FROM ledger_transfer WHERE kind IN ('TRANSFER', 'POST')
              UNION ALL
              SELECT debit_account_id, 0, 0, amount, 0 FROM open_pending
              UNION ALL
              SELECT credit_account_id, 0, 0, 0, amount FROM open_pending
            ), sums AS (
              SELECT account_id, SUM(dpo) AS dpo, SUM(cpo) AS cpo, SUM(dpe) AS dpe, SUM(cpe) AS cpe
              FROM moves GROUP BY account_id
            )
            SELECT COALESCE(a.id, s.account_id) AS id, a.owner, a.token, a.kind,
                   a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted,
                   COALESCE(s.dpe, 0) AS j_debits_pending, COALESCE(s.dpo, 0) AS j_debits_posted,
                   COALESCE(s.cpe, 0) AS j_credits_pending, COALESCE(s.cpo, 0) AS j_credits_posted,
                   COUNT(*) OVER () AS total
            FROM ledger_account a FULL JOIN sums s ON s.account_id = a.id
            WHERE a.id IS NULL
               OR a.debits_pending <> COALESCE(s.dpe, 0) OR a.debits_posted <> COALESCE(s.dpo, 0)
               OR a.credits_pending <> COALESCE(s.cpe, 0) OR a.credits_posted <> COALESCE(s.cpo, 0)
            LIMIT 100""";

    static final String COUNTS = """
            SELECT (SELECT COUNT(*) FROM ledger_account) AS accounts, (SELECT COUNT(*) FROM ledger_transfer) AS transfers""";

    static final String PENDINGS = """
            SELECT COALESCE(p.pending_id, c.id) AS pending_id, p.state, r.kind AS resolution
            FROM ledger_pending p
            FULL JOIN (SELECT id, amount, debit_account_id, credit_account_id FROM ledger_transfer WHERE kind = 'PENDING') c
              ON c.id = p.pending_id
            LEFT JOIN ledger_transfer r ON r.pending_id = COALESCE(p.pending_id, c.id) AND r.kind IN ('POST', 'VOID', 'EXPIRE')
            WHERE p.pending_id IS NULL OR c.id IS NULL OR c.amount <> p.amount
               OR c.debit_account_id <> p.debit_account_id OR c.credit_account_id <> p.credit_account_id
               OR (p.state = 'PENDING') <> (r.id IS NULL)
               OR (p.state = 'POSTED' AND (r.kind <> 'POST' OR r.amount <> p.posted_amount))
               OR (p.state = 'VOIDED' AND r.kind <> 'VOID')
               OR (p.state = 'EXPIRED' AND r.kind <> 'EXPIRE')
            LIMIT 100""";

    static final String SUPPLY = """
            SELECT t.symbol, t.kind, t.decimals,
              COALESCE(a.debits_posted, 0) AS debits_posted, COALESCE(a.credits_posted, 0) AS credits_posted,
              COALESCE(a.debits_pending, 0) AS debits_pending, COALESCE(a.credits_pending, 0) AS credits_pending,
              COALESCE((SELECT m.amount FROM ledger_transfer m WHERE m.code = 'SUPPLY_MINT' AND m.token = t.symbol), 0)
                AS supply_mint,
              COALESCE((SELECT b.credits_posted - b.debits_posted FROM ledger_account b
                        WHERE b.owner = 'protocol' AND b.token = t.symbol AND b.kind = 'BURN'), 0) AS burned
            FROM ledger_token t
            LEFT JOIN ledger_account a ON a.owner = 'protocol' AND a.token = t.symbol AND a.kind = 'ISSUER'
            WHERE t.kind NOT IN ('USDC', 'LP') AND ($1::text[] IS NULL OR t.symbol = ANY($1))
            ORDER BY t.symbol""";

    /** Splits and carry runs (issue #19): each adds up; FLOCK and MT bought by both = burned by buybacks. */
    static final String SPLITS = """
            SELECT (SELECT COUNT(*) FROM revenue_split) + (SELECT COUNT(*) FROM buyback_carry_run) AS checked,
              (SELECT COUNT(*) FROM revenue_split
               WHERE flock_buyback + mt_buyback + owner_part + treasury_part <> net
                  OR charged <> compute + net
                  OR flock_buyback + flock_carry_in <> flock_spent + flock_carry_out
                  OR mt_buyback + mt_carry_in <> mt_spent + mt_carry_out)
              + (SELECT COUNT(*) FROM buyback_carry_run
                 WHERE flock_carry_in <> flock_spent + flock_carry_out OR mt_carry_in <> mt_spent + mt_carry_out) AS bad,
              (SELECT COALESCE(SUM(flock_bought), 0) FROM revenue_split)
                + (SELECT COALESCE(SUM(flock_bought), 0) FROM buyback_carry_run) AS flock_bought,
              (SELECT COALESCE(SUM(mt_bought), 0) FROM revenue_split)
                + (SELECT COALESCE(SUM(mt_bought), 0) FROM buyback_carry_run) AS mt_bought,
              (SELECT COALESCE(SUM(amount), 0) FROM ledger_transfer WHERE code = 'BUYBACK_BURN' AND token = 'FLOCK')
                AS flock_burned,
              (SELECT COALESCE(SUM(amount), 0) FROM ledger_transfer WHERE code = 'BUYBACK_BURN' AND token <> 'FLOCK')
                AS mt_burned""";

    /** Carry accounts that differ from the latest carries recorded by a split or a carry run (one sequence). */
    static final String CARRIES = """
            SELECT a.owner, a.credits_posted - a.debits_posted AS balance, COALESCE(l.carry, 0) AS recorded
            FROM ledger_account a
            LEFT JOIN LATERAL (SELECT c.carry FROM (
                 (SELECT s.seq, s.flock_carry_out + s.mt_carry_out AS carry FROM revenue_split s
                  WHERE s.deployment_id = a.owner ORDER BY s.seq DESC LIMIT 1)
                 UNION ALL
                 (SELECT r.seq, r.flock_carry_out + r.mt_carry_out AS carry FROM buyback_carry_run r
                  WHERE r.deployment_id = a.owner ORDER BY r.seq DESC LIMIT 1)) c
               ORDER BY c.seq DESC LIMIT 1) l ON true
            WHERE a.kind = 'BUYBACK_CARRY' AND a.credits_posted - a.debits_posted <> COALESCE(l.carry, 0)
            LIMIT 100""";

    static final String CREDITS = """
            SELECT COALESCE((SELECT a.credits_posted - a.debits_posted FROM ledger_account a
                             WHERE a.owner = 'protocol' AND a.token = 'USDC' AND a.kind = 'PREPAID_CREDITS'), 0) AS prepaid,
                   (SELECT COUNT(*) FROM credits_topup) AS topups,
                   (SELECT COUNT(*) FROM revenue_split) AS splits,
                   (SELECT COUNT(*) FROM credits_refund) AS refunds""";

    private final Db db;

    @Inject
    public AuditStore(Db db) {
        this.db = db;
    }

    /** The ledger's conservation, journal, counts and pending checks (pipelined on one connection). */
    public record LedgerRows(List<DbRow> conservation, List<DbRow> journal, List<DbRow> counts, List<DbRow> pendings) {
    }

    /** Supply, splits, carries and the reconciliation's totals. */
    public record ExtendedRows(List<DbRow> supply, List<DbRow> splits, List<DbRow> carries, List<DbRow> credits) {
    }

    /** {@code work} in one read-only snapshot. */
    public <T> Uni<T> snapshot(Function<Tx, Uni<T>> work) {
        return db.transaction(tx -> tx.update("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .flatMap(x -> work.apply(tx)));
    }

    /** {@code symbols}: only those tokens (null: every token). */
    public Uni<LedgerRows> ledgerRows(Tx tx, List<String> symbols) {
        Object filter = symbols == null ? null : symbols.toArray(String[]::new);
        return Uni.combine().all().unis(tx.rows(CONSERVATION, filter), tx.rows(JOURNAL), tx.rows(COUNTS),
                tx.rows(PENDINGS)).asTuple()
                .map(all -> new LedgerRows(all.getItem1(), all.getItem2(), all.getItem3(), all.getItem4()));
    }

    public Uni<ExtendedRows> extendedRows(Tx tx, List<String> symbols) {
        Object filter = symbols == null ? null : symbols.toArray(String[]::new);
        return Uni.combine().all().unis(tx.rows(SUPPLY, filter), tx.rows(SPLITS), tx.rows(CARRIES), tx.rows(CREDITS))
                .asTuple().map(all -> new ExtendedRows(all.getItem1(), all.getItem2(), all.getItem3(), all.getItem4()));
    }
}
