package io.fomo.treasury.payout;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.fomo.shared.errors.ErrorCode;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Protocol payouts (issue #21, operator): {@code POST /api/v1/payouts} {@code {account: TREASURY|PROTOCOL_COSTS, token,
 * amount, destination, idempotencyKey}} → 201; {@code GET /api/v1/payouts?kind=} (without kind: every protocol payout;
 * {@code kind=WITHDRAWAL} lists withdrawals); {@code GET /api/v1/payouts/{id}}; {@code PUT
 * /api/v1/payouts/providers/{deploymentId}} {@code {destination}}.
 */
@Path("/api/v1/payouts")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed("operator")
public class PayoutResource {

    public record PayoutRequest(String account, String token, JsonNode amount, String destination,
            String idempotencyKey) {
    }

    public record Payouts(List<PayoutView> payouts) {
    }

    public record ProviderDestination(String destination) {
    }

    @Inject
    ProtocolPayoutService payouts;

    @Inject
    WithdrawalService rows;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> payout(PayoutRequest body) {
        if (body == null) {
            throw ErrorCode.MALFORMED_REQUEST.problem(
                    "a JSON body {account, token, amount, destination, idempotencyKey} is required");
        }
        return payouts.payout(body.account(), body.token(), WithdrawalResource.amountText(body.amount()),
                body.destination(), body.idempotencyKey()).map(PayoutResource::created);
    }

    @GET
    public Uni<Payouts> list(@QueryParam("kind") String kind) {
        PayoutKind k = null;
        if (kind != null && !kind.isBlank()) {
            try {
                k = PayoutKind.valueOf(kind);
            } catch (IllegalArgumentException e) {
                throw ErrorCode.INVALID_ARGUMENT.problem("kind must be one of WITHDRAWAL, PROVIDER_PAYOUT, "
                        + "TREASURY_PAYOUT, PROTOCOL_COSTS_PAYOUT");
            }
        }
        return rows.list(k, k == PayoutKind.WITHDRAWAL, null, null).map(Payouts::new);
    }

    @GET
    @Path("{id}")
    public Uni<PayoutView> one(@PathParam("id") String id) {
        return rows.payout(id);
    }

    @PUT
    @Path("providers/{deploymentId}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Map<String, String>> providerDestination(@PathParam("deploymentId") String deploymentId,
            ProviderDestination body) {
        if (body == null) {
            throw ErrorCode.MALFORMED_REQUEST.problem("a JSON body {destination} is required");
        }
        return payouts.setProviderDestination(deploymentId, body.destination())
                .map(d -> Map.of("deploymentId", deploymentId, "destination", d));
    }

    static Response created(WithdrawalService.Opened opened) {
        return Response.status(Response.Status.CREATED).entity(opened.view())
                .header("Idempotent-Replayed", Boolean.toString(opened.replayed())).build();
    }

    static PayoutState state(String state) {
        if (state == null || state.isBlank()) {
            return null;
        }
        try {
            return PayoutState.valueOf(state);
        } catch (IllegalArgumentException e) {
            throw ErrorCode.INVALID_STATE.problem("state must be one of " + java.util.Arrays.toString(PayoutState.values()));
        }
    }
}
