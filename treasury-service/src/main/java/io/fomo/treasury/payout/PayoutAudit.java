package io.fomo.treasury.payout;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

import io.fomo.shared.db.DbRow;
import io.fomo.treasury.ledger.model.PendingState;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The audit's payout part (issue #21), from one read-only snapshot: every payout row's pending transfer exists and is
 * resolved consistently with the row (PAID ⇔ POSTED in full, FAILED/REJECTED ⇔ VOIDED, the others ⇔ PENDING); every
 * {@code withdrawal:} / {@code payout:} pending transfer has its row; exactly one processor payment per PAID row, none
 * for FAILED/REJECTED, none without a row; Σ PAID per token = the balance of (protocol, token, BRIDGE_OUT).
 * (A PAYING row may have a payment already: the worker has not posted it yet.)
 */
@ApplicationScoped
public class PayoutAudit {

    /** What {@code GET /api/v1/audit} shows as {@code payouts}: {@code checked} = payout rows checked. */
    public record Report(boolean ok, int checked, List<String> problems) {
    }

    /** The snapshot's rows (see {@link PayoutStore#auditSnapshot}). */
    public record Snapshot(List<DbRow> rows, List<DbRow> orphanPendings, List<DbRow> strayPayments, List<DbRow> tokens) {
    }

    @Inject
    PayoutStore store;

    public Uni<Report> report() {
        return store.auditSnapshot().map(PayoutAudit::check);
    }

    static Report check(Snapshot s) {
        List<String> problems = new ArrayList<>();
        for (DbRow r : s.rows()) {
            String id = r.string("id");
            PayoutState state = PayoutState.valueOf(r.string("state"));
            if (r.isNull("pending_state")) {
                problems.add("payout " + id + " (" + state + "): no pending transfer " + r.string("pending_id"));
                continue;
            }
            PendingState pending = PendingState.valueOf(r.string("pending_state"));
            if (pending != state.pendingState()) {
                problems.add("payout " + id + " is " + state + " but its pending transfer is " + pending);
            }
            BigInteger amount = r.units("amount");
            if (r.units("pending_amount").compareTo(amount) != 0) {
                problems.add("payout " + id + ": pending amount " + r.units("pending_amount") + " != " + amount);
            }
            if (state == PayoutState.PAID && r.units("posted_amount").compareTo(amount) != 0) {
                problems.add("payout " + id + " is PAID but posted " + r.units("posted_amount") + " of " + amount);
            }
            long payments = r.longValue("payments");
            if (state == PayoutState.PAID && payments != 1) {
                problems.add("payout " + id + " is PAID with " + payments + " processor payments (expected 1)");
            }
            if ((state == PayoutState.FAILED || state == PayoutState.REJECTED || state == PayoutState.HELD
                    || state == PayoutState.AWAITING_APPROVAL) && payments != 0) {
                problems.add("payout " + id + " is " + state + " but the processor paid it");
            }
        }
        for (DbRow o : s.orphanPendings()) {
            problems.add("pending transfer " + o.string("pending_id") + " has no payout row");
        }
        for (DbRow p : s.strayPayments()) {
            problems.add("processor payment " + p.string("payout_id") + " has no payout row");
        }
        for (DbRow t : s.tokens()) {
            if (t.units("paid").compareTo(t.units("bridge_out")) != 0) {
                problems.add("token " + t.string("token") + ": PAID payouts total " + t.units("paid")
                        + " but (protocol, " + t.string("token") + ", BRIDGE_OUT) holds " + t.units("bridge_out"));
            }
        }
        return new Report(problems.isEmpty(), s.rows().size(), List.copyOf(problems));
    }
}
