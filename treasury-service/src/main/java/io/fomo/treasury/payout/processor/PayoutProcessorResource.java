package io.fomo.treasury.payout.processor;

import java.util.List;
import java.util.Set;

import io.fomo.shared.errors.ErrorCode;
import io.fomo.shared.money.Amount;
import io.fomo.treasury.ledger.LedgerService;
import io.fomo.treasury.payout.PayoutStore;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/**
 * The local payout processor's controls (operator): {@code POST /api/v1/payout-processor/control} {@code {mode}} and
 * {@code GET /api/v1/payout-processor/payments?payoutId=} → {@code {payments: [{payoutId, token, amount, destination,
 * paidAt}]}}.
 */
@Path("/api/v1/payout-processor")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed("operator")
public class PayoutProcessorResource {

    public record Control(String mode) {
    }

    public record Payment(String payoutId, String token, String amount, String destination, java.time.Instant paidAt) {
    }

    public record Payments(List<Payment> payments) {
    }

    @Inject
    LocalPayoutProcessor local;

    @Inject
    PayoutStore store;

    @Inject
    LedgerService ledger;

    @POST
    @Path("control")
    @Consumes(MediaType.APPLICATION_JSON)
    public Control control(Control body) {
        LocalPayoutProcessor.Mode mode;
        try {
            mode = LocalPayoutProcessor.Mode.valueOf(body == null || body.mode() == null ? "" : body.mode());
        } catch (IllegalArgumentException e) {
            throw ErrorCode.INVALID_REQUEST.problem("mode must be PAY, FAIL, STALL_BEFORE_PAY or STALL_AFTER_PAY");
        }
        local.setMode(mode);
        return new Control(mode.name());
    }

    @GET
    @Path("payments")
    public Uni<Payments> payments(@QueryParam("payoutId") String payoutId) {
        return store.payments(payoutId == null || payoutId.isBlank() ? null : payoutId).flatMap(rows -> {
            Set<String> symbols = new java.util.HashSet<>();
            rows.forEach(r -> symbols.add(r.string("token")));
            return ledger.tokens(symbols).map(tokens -> new Payments(rows.stream().map(r -> new Payment(
                    r.string("payout_id"), r.string("token"),
                    tokens.containsKey(r.string("token"))
                            ? Amount.ofUnits(tokens.get(r.string("token")).money(), r.units("amount")).toDecimalString()
                            : r.units("amount").toString(),
                    r.string("destination"), r.instant("paid_at"))).toList()));
        });
    }
}
