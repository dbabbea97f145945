package io.fomo.treasury.payout;

import java.util.List;

import org.eclipse.microprofile.jwt.JsonWebToken;

import com.fasterxml.jackson.databind.JsonNode;

import io.fomo.shared.errors.ErrorCode;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Withdrawals (issue #21): {@code POST /api/v1/withdrawals} (user) {@code {token, amount, destination, idempotencyKey}}
 * → 201 the withdrawal (a replay: the same withdrawal, header {@code Idempotent-Replayed: true}); {@code GET
 * /api/v1/withdrawals/me} (user); {@code GET /api/v1/withdrawals/{id}} (its user or an operator); {@code GET
 * /api/v1/withdrawals?state=} (operator); {@code POST /api/v1/withdrawals/{id}/approve|reject} (operator).
 */
@Path("/api/v1/withdrawals")
@Produces(MediaType.APPLICATION_JSON)
public class WithdrawalResource {

    public record WithdrawalRequest(String token, JsonNode amount, String destination, String idempotencyKey) {
    }

    public record Decision(String reason) {
    }

    public record Withdrawals(List<PayoutView> withdrawals) {
    }

    @Inject
    WithdrawalService withdrawals;

    @Inject
    JsonWebToken jwt;

    @Inject
    SecurityIdentity identity;

    @POST
    @RolesAllowed("user")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> withdraw(WithdrawalRequest body) {
        if (body == null) {
            throw ErrorCode.MALFORMED_REQUEST.problem(
                    "a JSON body {token, amount, destination, idempotencyKey} is required");
        }
        return withdrawals.request(jwt.getSubject(), body.token(), amountText(body.amount()), body.destination(),
                body.idempotencyKey()).map(PayoutResource::created);
    }

    @GET
    @Path("me")
    @RolesAllowed("user")
    public Uni<Withdrawals> mine() {
        return withdrawals.list(PayoutKind.WITHDRAWAL, true, jwt.getSubject(), null).map(Withdrawals::new);
    }

    @GET
    @RolesAllowed("operator")
    public Uni<Withdrawals> list(@QueryParam("state") String state) {
        return withdrawals.list(PayoutKind.WITHDRAWAL, true, null, PayoutResource.state(state)).map(Withdrawals::new);
    }

    @GET
    @Path("{id}")
    @RolesAllowed({"operator", "user"})
    public Uni<PayoutView> one(@PathParam("id") String id) {
        return withdrawals.withdrawal(id).invoke(w -> {
            if (!identity.hasRole("operator") && !w.userId().equals(jwt.getSubject())) {
                throw ErrorCode.FORBIDDEN.problem("a user reads only their own withdrawals");
            }
        });
    }

    @POST
    @Path("{id}/approve")
    @RolesAllowed("operator")
    public Uni<PayoutView> approve(@PathParam("id") String id) {
        return withdrawals.approve(id, jwt.getSubject());
    }

    @POST
    @Path("{id}/reject")
    @RolesAllowed("operator")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<PayoutView> reject(@PathParam("id") String id, Decision body) {
        String reason = body == null ? null : body.reason();
        if (reason != null && reason.length() > 500) {
            throw ErrorCode.INVALID_REQUEST.problem("reason: at most 500 characters");
        }
        return withdrawals.reject(id, reason, jwt.getSubject());
    }

    /** An amount must be a JSON string (a number would lose precision on the way). */
    static String amountText(JsonNode amount) {
        if (amount == null || amount.isNull()) {
            throw ErrorCode.INVALID_AMOUNT.problem("amount is required (a decimal string)");
        }
        if (!amount.isTextual()) {
            throw ErrorCode.INVALID_AMOUNT.problem("amount must be a JSON string, e.g. \"1.5\"");
        }
        return amount.asText();
    }
}
