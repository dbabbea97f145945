package io.fomo.treasury.audit;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.fomo.treasury.audit.AuditReport.JournalCheck;
import io.fomo.treasury.audit.AuditReport.Mismatch;
import io.fomo.treasury.audit.AuditReport.TokenCheck;
import io.fomo.treasury.ledger.LedgerService;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The ledger's audit (SPEC §5 "an endpoint that proves conservation for every token"; §1 "balances are derivable
 * from the journal and always equal it"): three read-only queries in one REPEATABLE READ transaction, so they see
 * one consistent snapshot while transfers go on. It reports, it never corrects.
 */
@ApplicationScoped
public class AuditService {

    private static final int MAX_LISTED = 100;

    private static final String CONSERVATION = """
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

    private static final String JOURNAL = """
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

    private static final String COUNTS = """
            SELECT (SELECT COUNT(*) FROM ledger_account) AS accounts, (SELECT COUNT(*) FROM ledger_transfer) AS transfers""";

    private static final String PENDINGS = """
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

    private static final String SUPPLY = """
            SELECT t.symbol, t.kind, t.decimals,
              COALESCE(a.debits_posted, 0) AS debits_posted, COALESCE(a.credits_posted, 0) AS credits_posted,
              COALESCE(a.debits_pending, 0) AS debits_pending, COALESCE(a.credits_pending, 0) AS credits_pending,
              COALESCE((SELECT m.amount FROM ledger_transfer m WHERE m.code = 'SUPPLY_MINT' AND m.token = t.symbol), 0)
                AS supply_mint,
              COALESCE((SELECT b.credits_posted - b.debits_posted FROM ledger_account b
                        WHERE b.owner = 'protocol' AND b.token = t.symbol AND b.kind = 'BURN'), 0) AS burned
            FROM ledger_token t
            LEFT JOIN ledger_account a ON a.owner = 'protocol' AND a.token = t.symbol AND a.kind = 'ISSUER'
            WHERE t.kind <> 'USDC' AND ($1::text[] IS NULL OR t.symbol = ANY($1))
            ORDER BY t.symbol""";

    private static final String SPLITS = """
            SELECT COUNT(*) AS checked,
              COUNT(*) FILTER (WHERE flock_buyback + mt_buyback + owner_part + treasury_part <> net
                                  OR charged <> compute + net
                                  OR flock_buyback + flock_carry_in <> flock_spent + flock_carry_out
                                  OR mt_buyback + mt_carry_in <> mt_spent + mt_carry_out) AS bad,
              COALESCE(SUM(flock_bought), 0) AS flock_bought, COALESCE(SUM(mt_bought), 0) AS mt_bought,
              (SELECT COALESCE(SUM(amount), 0) FROM ledger_transfer WHERE code = 'BUYBACK_BURN' AND token = 'FLOCK')
                AS flock_burned,
              (SELECT COALESCE(SUM(amount), 0) FROM ledger_transfer WHERE code = 'BUYBACK_BURN' AND token <> 'FLOCK')
                AS mt_burned
            FROM revenue_split""";

    private static final String CARRIES = """
            SELECT a.owner, a.credits_posted - a.debits_posted AS balance, COALESCE(l.carry, 0) AS recorded
            FROM ledger_account a
            LEFT JOIN LATERAL (SELECT s.flock_carry_out + s.mt_carry_out AS carry FROM revenue_split s
                               WHERE s.deployment_id = a.owner ORDER BY s.seq DESC LIMIT 1) l ON true
            WHERE a.kind = 'BUYBACK_CARRY' AND a.credits_posted - a.debits_posted <> COALESCE(l.carry, 0)
            LIMIT 100""";

    private static final String CREDITS = """
            SELECT COALESCE((SELECT a.credits_posted - a.debits_posted FROM ledger_account a
                             WHERE a.owner = 'protocol' AND a.token = 'USDC' AND a.kind = 'PREPAID_CREDITS'), 0) AS prepaid,
                   (SELECT COUNT(*) FROM credits_topup) AS topups,
                   (SELECT COUNT(*) FROM revenue_split) AS splits""";

    private final Pool pool;

    /** Billing's credits summary; absent when constructed outside CDI (property tests). */
    @Inject
    CreditsReconciliationClient billing;

    @Inject
    public AuditService(Pool pool) {
        this.pool = pool;
    }

    /** The full audit, the reconciliation with billing included. */
    public Uni<AuditReport> audit() {
        if (billing == null) {
            return audit(null);
        }
        // Billing first, outside the database transaction: no snapshot or lock is held across the network call.
        return billing.summary().flatMap(summary -> snapshot(null, summary));
    }

    /** The audit without the reconciliation; conservation only for {@code symbols} if given. */
    public Uni<AuditReport> audit(List<String> symbols) {
        return snapshot(symbols, null);
    }

    private Uni<AuditReport> snapshot(List<String> symbols, CreditsReconciliationClient.Summary summary) {
        return pool.withTransaction(conn -> conn.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute()
                .flatMap(x -> run(conn, symbols))
                .flatMap(ledger -> extended(conn, symbols, ledger, summary)));
    }

    private Uni<AuditReport> extended(SqlConnection conn, List<String> symbols, AuditReport ledger,
            CreditsReconciliationClient.Summary summary) {
        Tuple filter = Tuple.of(symbols == null ? null : symbols.toArray(String[]::new));
        Uni<RowSet<Row>> supply = conn.preparedQuery(SUPPLY).execute(filter);
        Uni<RowSet<Row>> splits = conn.preparedQuery(SPLITS).execute();
        Uni<RowSet<Row>> carries = conn.preparedQuery(CARRIES).execute();
        Uni<RowSet<Row>> credits = conn.preparedQuery(CREDITS).execute();
        return Uni.combine().all().unis(supply, splits, carries, credits).asTuple().map(all -> {
            List<AuditReport.SupplyCheck> supplyChecks = new ArrayList<>();
            boolean supplyOk = true;
            for (Row row : all.getItem1()) {
                String symbol = row.getString("symbol");
                int d = row.getInteger("decimals");
                BigInteger minted = units(row, "debits_posted").subtract(units(row, "credits_posted"));
                BigInteger mint = units(row, "supply_mint");
                BigInteger burned = units(row, "burned");
                boolean ok = units(row, "credits_posted").signum() == 0 && units(row, "debits_pending").signum() == 0
                        && units(row, "credits_pending").signum() == 0 && minted.equals(mint)
                        && burned.compareTo(minted) <= 0;
                if ("MODEL".equals(row.getString("kind"))) {
                    ok &= mint.signum() == 0 || mint.equals(io.fomo.treasury.ledger.LedgerRules.MODEL_TOKEN_SUPPLY);
                }
                supplyOk &= ok;
                supplyChecks.add(new AuditReport.SupplyCheck(symbol, format(symbol, d, minted), format(symbol, d, mint),
                        format(symbol, d, burned), format(symbol, d, minted.subtract(burned)), ok));
            }
            Row s = all.getItem2().iterator().next();
            List<String> problems = new ArrayList<>();
            long bad = s.getLong("bad");
            if (bad > 0) {
                problems.add(bad + " split(s) whose parts, charged or carries do not add up");
            }
            if (!units(s, "flock_bought").equals(units(s, "flock_burned"))) {
                problems.add("FLOCK bought by splits " + units(s, "flock_bought") + " != burned by splits "
                        + units(s, "flock_burned"));
            }
            if (!units(s, "mt_bought").equals(units(s, "mt_burned"))) {
                problems.add("MT bought by splits " + units(s, "mt_bought") + " != burned by splits "
                        + units(s, "mt_burned"));
            }
            for (Row c : all.getItem3()) {
                problems.add("carry account " + c.getString("owner") + " holds " + units(c, "balance")
                        + " but its latest split recorded " + units(c, "recorded"));
            }
            AuditReport.SplitCheck splitCheck = new AuditReport.SplitCheck(s.getLong("checked"), problems.isEmpty(),
                    bad, problems);
            Row credit = all.getItem4().iterator().next();
            AuditReport.Reconciliation reconciliation = summary == null ? null
                    : CreditsReconciliationClient.reconcile(summary, units(credit, "prepaid"),
                            credit.getLong("topups"), credit.getLong("splits"));
            boolean ok = ledger.ok() && supplyOk && splitCheck.ok()
                    && (reconciliation == null || !"MISMATCH".equals(reconciliation.status()));
            return new AuditReport(ok, ledger.checkedAt(), ledger.tokens(), ledger.journal(), supplyChecks, splitCheck,
                    reconciliation);
        });
    }

    private Uni<AuditReport> run(SqlConnection conn, List<String> symbols) {
        Uni<RowSet<Row>> conservation = conn.preparedQuery(CONSERVATION)
                .execute(Tuple.of(symbols == null ? null : symbols.toArray(String[]::new)));
        Uni<RowSet<Row>> journal = conn.preparedQuery(JOURNAL).execute();
        Uni<RowSet<Row>> counts = conn.preparedQuery(COUNTS).execute();
        Uni<RowSet<Row>> pendings = conn.preparedQuery(PENDINGS).execute();
        return Uni.combine().all().unis(conservation, journal, counts, pendings).asTuple().map(all -> {
            Map<String, Integer> decimals = new HashMap<>();
            List<TokenCheck> tokens = new ArrayList<>();
            boolean ok = true;
            for (Row row : all.getItem1()) {
                String symbol = row.getString("symbol");
                int d = row.getInteger("decimals");
                decimals.put(symbol, d);
                BigInteger minted = units(row, "minted");
                BigInteger burned = units(row, "burned");
                BigInteger balances = units(row, "balances");
                boolean doubleEntry = units(row, "debits_posted").equals(units(row, "credits_posted"))
                        && units(row, "debits_pending").equals(units(row, "credits_pending"));
                long overdrawn = row.getLong("overdrawn");
                boolean tokenOk = minted.equals(balances.add(burned)) && doubleEntry && overdrawn == 0;
                ok &= tokenOk;
                tokens.add(new TokenCheck(symbol, format(symbol, d, minted), format(symbol, d, balances),
                        format(symbol, d, burned), tokenOk, doubleEntry, row.getLong("accounts"), overdrawn));
            }
            List<Mismatch> mismatches = new ArrayList<>();
            for (Row row : all.getItem2()) {
                String token = row.getString("token");
                String account = token == null ? "account id " + row.getLong("id") + " (not in ledger_account)"
                        : row.getString("owner") + "/" + token + "/" + row.getString("kind");
                for (String field : List.of("debits_pending", "debits_posted", "credits_pending", "credits_posted")) {
                    BigInteger stored = units(row, field);
                    BigInteger fromJournal = units(row, "j_" + field);
                    if (token == null || !stored.equals(fromJournal)) {
                        mismatches.add(new Mismatch(account, field, stored.toString(), fromJournal.toString()));
                    }
                }
                if (mismatches.size() >= MAX_LISTED) {
                    break;
                }
            }
            List<String> pendingMismatches = new ArrayList<>();
            for (Row row : all.getItem4()) {
                pendingMismatches.add(row.getString("pending_id") + ": state " + row.getString("state")
                        + ", journal resolution " + row.getString("resolution"));
            }
            Row count = all.getItem3().iterator().next();
            boolean journalOk = mismatches.isEmpty() && pendingMismatches.isEmpty();
            return new AuditReport(ok && journalOk, LedgerService.now(), tokens, new JournalCheck(journalOk,
                    count.getLong("accounts"), count.getLong("transfers"), mismatches, pendingMismatches));
        });
    }

    private static BigInteger units(Row row, String column) {
        BigDecimal value = row.getBigDecimal(column);
        return value == null ? BigInteger.ZERO : value.toBigIntegerExact();
    }

    private static String format(String symbol, int decimals, BigInteger units) {
        String magnitude = Amount.ofUnits(new Token(symbol, decimals), units.abs()).toDecimalString();
        return units.signum() < 0 ? "-" + magnitude : magnitude;
    }
}
