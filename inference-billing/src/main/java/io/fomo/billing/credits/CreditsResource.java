package io.fomo.billing.credits;

import java.time.Instant;

import org.eclipse.microprofile.jwt.JsonWebToken;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;

import io.fomo.shared.errors.ErrorCode;
import io.fomo.billing.BillingConfig;
import io.fomo.shared.identity.KnownUsers;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.fomo.shared.web.DecimalString;
import io.fomo.shared.web.ProblemException;
import io.fomo.shared.web.ProblemMappers;
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

    /** SPEC §2: the amount is a decimal string; a JSON number is {@code 400 INVALID_AMOUNT} (issue #17). */
    public record TopupRequest(String topupId, String userId, @JsonDeserialize(using = DecimalString.class) String amount) {
    }

    public record PaymentRequest(String paymentId, String userId, @JsonDeserialize(using = DecimalString.class) String amount) {
    }

    /** Issue #21: a refund of unused credits; {@code destination} optional (then the USDC stays in the user's balance). */
    public record RefundRequest(@JsonDeserialize(using = DecimalString.class) String amount, String destination,
            String idempotencyKey) {
    }

    public record Refunds(java.util.List<RefundService.Refund> refunds) {
    }

    /** Largest request body read by these endpoints (three short fields need far less). */
    static final int MAX_BODY_CHARS = 16 * 1024;

    @Inject
    TopupService topups;

    @Inject
    RefundService refunds;

    @Inject
    JsonWebToken jwt;

    @Inject
    KnownUsers knownUsers;

    @Inject
    ObjectMapper mapper;

    @Inject
    BillingConfig config;

    @POST
    @Path("/credits/topups")
    @RolesAllowed("operator")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> topUp(String rawBody) {
        TopupRequest body = read(rawBody, TopupRequest.class, "{topupId, userId, amount}");
        String id = requireId("topupId", body.topupId());
        String user = requireId("userId", body.userId());
        Amount amount = Amount.parsePositive(Token.USDC, body.amount());
        // Issue #17, money to nobody: an operator credits only a subject the identity provider knows (404 UNKNOWN_USER).
        return knownUsers.requireKnown(user)
                .flatMap(known -> topups.topUp(TopupService.Source.OPERATOR, id, user, amount))
                .map(CreditsResource::created);
    }

    @POST
    @Path("/webhooks/payments")
    @PermitAll
    @Consumes(MediaType.WILDCARD)
    public Uni<Response> payment(@HeaderParam("X-Fomo-Signature") String signature, String rawBody) {
        WebhookSignature.verify(signature, rawBody, config.webhook().secrets(), config.webhook().tolerance(), Instant.now());
        PaymentRequest body = read(rawBody, PaymentRequest.class, "{paymentId, userId, amount}");
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

    @POST
    @Path("/credits/refunds")
    @RolesAllowed("user")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> refund(String rawBody) {
        RefundRequest body = read(rawBody, RefundRequest.class, "{amount, destination?, idempotencyKey}");
        return refunds.refund(new RefundService.RefundCommand(jwt.getSubject(), body.amount(), body.destination(),
                body.idempotencyKey())).map(r -> {
                    Response.ResponseBuilder b = Response.status(201).entity(r);
                    if (r.replayed()) {
                        b.header("Idempotent-Replayed", "true");
                    }
                    return b.build();
                });
    }

    @GET
    @Path("/credits/refunds/me")
    @RolesAllowed("user")
    public Uni<Refunds> myRefunds() {
        return refunds.mine(jwt.getSubject()).map(Refunds::new);
    }

    private static Response created(TopupService.Topup t) {
        return Response.status(201).entity(t).build();
    }

    /**
     * Reads a request body strictly: at most {@link #MAX_BODY_CHARS} (else 413), a JSON object of exactly these fields
     * (an unknown field is {@code 400 MALFORMED_REQUEST}), an amount as a JSON string ({@code 400 INVALID_AMOUNT}),
     * text without control characters ({@code 400 INVALID_REQUEST}): the suite's shared answers
     * ({@link ProblemMappers#refusalOf}); anything else unreadable is {@code 400 MALFORMED_REQUEST}.
     */
    <T> T read(String rawBody, Class<T> type, String shape) {
        if (rawBody == null || rawBody.isBlank()) {
            throw ErrorCode.INVALID_REQUEST.problem("a JSON body " + shape + " is required");
        }
        if (rawBody.length() > MAX_BODY_CHARS) {
            throw ErrorCode.PAYLOAD_TOO_LARGE.problem("the body exceeds " + MAX_BODY_CHARS + " characters");
        }
        T body;
        try {
            body = mapper.readerFor(type).with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readValue(rawBody);
        } catch (JsonProcessingException e) {
            ProblemException refusal = ProblemMappers.refusalOf(e);
            throw refusal != null ? refusal : ErrorCode.MALFORMED_REQUEST.problem("the body is not " + shape);
        }
        if (body == null) {
            throw ErrorCode.INVALID_REQUEST.problem("a JSON body " + shape + " is required");
        }
        return body;
    }

    static String requireId(String field, String value) {
        if (value == null || value.isBlank() || value.length() > 128) {
            throw ErrorCode.INVALID_ID.problem(field + " is required (1-128 characters)");
        }
        return value;
    }
}
