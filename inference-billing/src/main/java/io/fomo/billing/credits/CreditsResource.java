package io.fomo.billing.credits;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.fomo.shared.web.ProblemException;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Credits REST: operator top-ups, the payment webhook, a user's balance (SPEC §9). */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
public class CreditsResource {

    public record TopupRequest(String topupId, String userId, String amount) {
    }

    public record PaymentRequest(String paymentId, String userId, String amount) {
    }

    @Inject
    TopupService topups;

    @Inject
    JsonWebToken jwt;

    @Inject
    ObjectMapper mapper;

    @ConfigProperty(name = "fomo.billing.webhook.secrets")
    List<String> webhookSecrets;

    @ConfigProperty(name = "fomo.billing.webhook.tolerance", defaultValue = "PT5M")
    Duration tolerance;

    @POST
    @Path("/credits/topups")
    @RolesAllowed("operator")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> topUp(TopupRequest body) {
        if (body == null) {
            throw ProblemException.badRequest("INVALID_REQUEST", "a JSON body {topupId, userId, amount} is required");
        }
        String id = requireId("topupId", body.topupId());
        String user = requireId("userId", body.userId());
        Amount amount = Amount.parsePositive(Token.USDC, body.amount());
        return topups.topUp(TopupService.Source.OPERATOR, id, user, amount).map(CreditsResource::created);
    }

    @POST
    @Path("/webhooks/payments")
    @PermitAll
    @Consumes(MediaType.WILDCARD)
    public Uni<Response> payment(@HeaderParam("X-Fomo-Signature") String signature, String rawBody) {
        WebhookSignature.verify(signature, rawBody, webhookSecrets, tolerance, Instant.now());
        PaymentRequest body;
        try {
            body = mapper.readValue(rawBody, PaymentRequest.class);
        } catch (JsonProcessingException e) {
            throw ProblemException.badRequest("MALFORMED_JSON", "the body is not {paymentId, userId, amount}");
        }
        if (body == null) {
            throw ProblemException.badRequest("INVALID_REQUEST", "a JSON body {paymentId, userId, amount} is required");
        }
        String id = requireId("paymentId", body.paymentId());
        String user = requireId("userId", body.userId());
        Amount amount = Amount.parsePositive(Token.USDC, body.amount());
        return topups.topUp(TopupService.Source.WEBHOOK, id, user, amount).map(CreditsResource::created);
    }

    @GET
    @Path("/credits/me")
    @RolesAllowed("user")
    public Uni<TopupService.Balance> me() {
        return topups.balance(jwt.getSubject());
    }

    private static Response created(TopupService.Topup t) {
        return Response.status(201).entity(t).build();
    }

    static String requireId(String field, String value) {
        if (value == null || value.isBlank() || value.length() > 128) {
            throw ProblemException.badRequest("INVALID_ID", field + " is required (1-128 characters)");
        }
        return value;
    }
}
