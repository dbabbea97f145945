package io.fomo.treasury.audit;

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
import io.fomo.shared.db.DbRow;
import io.fomo.shared.db.Tx;
import io.smallrye.mutiny.Uni;
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

    private final AuditStore store;

    /** Billing's credits summary; absent when constructed outside CDI (property tests). */
    @Inject
    CreditsReconciliationClient billing;

    @Inject
    public AuditService(AuditStore store) {
        this.store = store;
    }

    /** The payouts' check (issue #21); absent when constructed outside CDI (property tests). */
    @Inject
    io.fomo.treasury.payout.PayoutAudit payouts;

    /** The full audit, the reconciliation with billing and the payouts' check included. */
    public Uni<AuditReport> audit() {
        if (billing == null) {
            return audit(null);
        }
        // Billing first, outside the database transaction: no snapshot or lock is held across the network call.
        Uni<AuditReport> report = billing.summary().flatMap(summary -> snapshot(null, summary));
        return payouts == null ? report : report.flatMap(r -> payouts.report().map(r::withPayouts));
    }

    /** The audit without the reconciliation; conservation only for {@code symbols} if given. */
    public Uni<AuditReport> audit(List<String> symbols) {
        return snapshot(symbols, null);
    }

    private Uni<AuditReport> snapshot(List<String> symbols, CreditsReconciliationClient.Summary summary) {
        return store.snapshot(conn -> run(conn, symbols)
                .flatMap(ledger -> extended(conn, symbols, ledger, summary)));
    }

    private Uni<AuditReport> extended(Tx conn, List<String> symbols, AuditReport ledger,
            CreditsReconciliationClient.Summary summary) {
        return store.extendedRows(conn, symbols).map(all -> {
            List<AuditReport.SupplyCheck> supplyChecks = new ArrayList<>();
            boolean supplyOk = true;
            for (DbRow row : all.supply()) {
                String symbol = row.string("symbol");
                int d = row.intValue("decimals");
                BigInteger minted = units(row, "debits_posted").subtract(units(row, "credits_posted"));
                BigInteger mint = units(row, "supply_mint");
                BigInteger burned = units(row, "burned");
                boolean ok = units(row, "credits_posted").signum() == 0 && units(row, "debits_pending").signum() == 0
                        && units(row, "credits_pending").signum() == 0 && minted.equals(mint)
                        && burned.compareTo(minted) <= 0;
                if ("MODEL".equals(row.string("kind"))) {
                    ok &= mint.signum() == 0 || mint.equals(io.fomo.treasury.ledger.model.LedgerRules.MODEL_TOKEN_SUPPLY);
                }
                supplyOk &= ok;
                supplyChecks.add(new AuditReport.SupplyCheck(symbol, format(symbol, d, minted), format(symbol, d, mint),
                        format(symbol, d, burned), format(symbol, d, minted.subtract(burned)), ok));
            }
            DbRow s = all.splits().get(0);
            List<String> problems = new ArrayList<>();
            long bad = s.longValue("bad");
            if (bad > 0) {
                problems.add(bad + " split(s) or carry run(s) whose parts, charged or carries do not add up");
            }
            if (!units(s, "flock_bought").equals(units(s, "flock_burned"))) {
                problems.add("FLOCK bought by splits " + units(s, "flock_bought") + " != burned by splits "
                        + units(s, "flock_burned"));
            }
            if (!units(s, "mt_bought").equals(units(s, "mt_burned"))) {
                problems.add("MT bought by splits " + units(s, "mt_bought") + " != burned by splits "
                        + units(s, "mt_burned"));
            }
            for (DbRow c : all.carries()) {
                problems.add("carry account " + c.string("owner") + " holds " + units(c, "balance")
                        + " but its latest split or carry run recorded " + units(c, "recorded"));
            }
            AuditReport.SplitCheck splitCheck = new AuditReport.SplitCheck(s.longValue("checked"), problems.isEmpty(),
                    bad, problems);
            DbRow credit = all.credits().get(0);
            AuditReport.Reconciliation reconciliation = summary == null ? null
                    : CreditsReconciliationClient.reconcile(summary, units(credit, "prepaid"),
                            credit.longValue("topups"), credit.longValue("splits"), credit.longValue("refunds"));
            boolean ok = ledger.ok() && supplyOk && splitCheck.ok()
                    && (reconciliation == null || !"MISMATCH".equals(reconciliation.status()));
            return new AuditReport(ok, ledger.checkedAt(), ledger.tokens(), ledger.journal(), supplyChecks, splitCheck,
                    reconciliation);
        });
    }

    private Uni<AuditReport> run(Tx conn, List<String> symbols) {
        return store.ledgerRows(conn, symbols).map(all -> {
            Map<String, Integer> decimals = new HashMap<>();
            List<TokenCheck> tokens = new ArrayList<>();
            boolean ok = true;
            for (DbRow row : all.conservation()) {
                String symbol = row.string("symbol");
                int d = row.intValue("decimals");
                decimals.put(symbol, d);
                BigInteger minted = units(row, "minted");
                BigInteger burned = units(row, "burned");
                BigInteger balances = units(row, "balances");
                boolean doubleEntry = units(row, "debits_posted").equals(units(row, "credits_posted"))
                        && units(row, "debits_pending").equals(units(row, "credits_pending"));
                long overdrawn = row.longValue("overdrawn");
                boolean tokenOk = minted.equals(balances.add(burned)) && doubleEntry && overdrawn == 0;
                ok &= tokenOk;
                tokens.add(new TokenCheck(symbol, format(symbol, d, minted), format(symbol, d, balances),
                        format(symbol, d, burned), tokenOk, doubleEntry, row.longValue("accounts"), overdrawn));
            }
            List<Mismatch> mismatches = new ArrayList<>();
            for (DbRow row : all.journal()) {
                String token = row.string("token");
                String account = token == null ? "account id " + row.longValue("id") + " (not in ledger_account)"
                        : row.string("owner") + "/" + token + "/" + row.string("kind");
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
            for (DbRow row : all.pendings()) {
                pendingMismatches.add(row.string("pending_id") + ": state " + row.string("state")
                        + ", journal resolution " + row.string("resolution"));
            }
            DbRow count = all.counts().get(0);
            boolean journalOk = mismatches.isEmpty() && pendingMismatches.isEmpty();
            return new AuditReport(ok && journalOk, LedgerService.now(), tokens, new JournalCheck(journalOk,
                    count.longValue("accounts"), count.longValue("transfers"), mismatches, pendingMismatches));
        });
    }

    private static BigInteger units(DbRow row, String column) {
        BigInteger value = row.units(column);
        return value == null ? BigInteger.ZERO : value;
    }

    private static String format(String symbol, int decimals, BigInteger units) {
        // An LP token's symbol (LP-<poolId>, issue #21) is not a money symbol: format by its decimals alone.
        Token money = new Token(symbol.startsWith("LP-") ? "LP" : symbol, decimals);
        String magnitude = Amount.ofUnits(money, units.abs()).toDecimalString();
        return units.signum() < 0 ? "-" + magnitude : magnitude;
    }
}
