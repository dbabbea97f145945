package io.fomo.treasury.ledger.api;

import io.fomo.shared.errors.ErrorCode;
import io.fomo.treasury.ledger.LedgerService;
import io.fomo.treasury.ledger.model.AccountKey;
import io.fomo.treasury.ledger.model.AccountKind;
import io.fomo.treasury.ledger.model.JournalEntry;
import io.fomo.treasury.ledger.model.LedgerRules;
import io.fomo.treasury.ledger.model.LedgerToken;
import io.fomo.treasury.ledger.model.Operation;

import java.time.Instant;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import io.fomo.shared.identity.KnownUsers;
import io.fomo.shared.money.InvalidAmountException;
import io.fomo.treasury.ledger.model.OperationResult.TransferDone;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code POST /api/v1/deposits} (operator): the bridge stand-in (SPEC §5, §9). FLOCK moves from the bridge float
 * (protocol, FLOCK, BRIDGE) to the user's account; USDC is minted to the user from (protocol, USDC, ISSUER); a
 * model token is not depositable. Idempotent by {@code depositId}: the transfer's id is {@code deposit:<depositId>},
 * so the same deposit again answers the first result and another body with the same id is 409
 * IDEMPOTENCY_CONFLICT. The user must exist: {@code userId} is a Keycloak subject, checked by {@link KnownUsers}
 * before anything is written (unknown: 404 UNKNOWN_USER; Keycloak unavailable: 503 IDENTITY_UNAVAILABLE; issue 17,
 * "money to nobody").
 */
@Path("/api/v1/deposits")
public class DepositResource {

    private static final Pattern DEPOSIT_ID = Pattern.compile("[A-Za-z0-9._:-]{1,120}");

    /** The request body; amount is a whole-token decimal string (a JSON number is refused, SPEC §2). */
    public record DepositRequest(String depositId, String userId, String token, JsonNode amount) {
    }

    /** A deposit as applied. {@code id} is the depositId; the ledger transfer is {@code transferId}. */
    public record Deposit(String id, String depositId, String userId, String token, String amount, String state,
            String transferId, Instant createdAt) {
    }

    @Inject
    LedgerService ledger;

    @Inject
    KnownUsers knownUsers;

    @POST
    @RolesAllowed("operator")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> deposit(DepositRequest body) {
        if (body == null) {
            throw ErrorCode.MALFORMED_REQUEST.problem("a JSON body {depositId, userId, token, amount} is required");
        }
        if (body.depositId() == null || !DEPOSIT_ID.matcher(body.depositId()).matches()) {
            throw ErrorCode.INVALID_DEPOSIT_ID.problem("depositId is required: 1-120 characters of letters, digits and . _ : -");
        }
        String userId = OperationMapper.owner(body.userId(), "userId");
        String symbol = body.token() == null ? "" : body.token();
        if (body.amount() != null && !body.amount().isTextual() && !body.amount().isNull()) {
            throw new InvalidAmountException(body.token(), body.amount().toString(),
                    "an amount is a decimal string such as \"0.25\", never a JSON number");
        }
        String amount = body.amount() == null || body.amount().isNull() ? null : body.amount().asText();
        String transferId = "deposit:" + body.depositId();
        return knownUsers.requireKnown(userId).flatMap(known -> ledger.single(Set.of(symbol), mapper -> {
                    LedgerToken token = mapper.token(symbol);
                    AccountKey debit = switch (token.kind()) {
                        case FLOCK -> AccountKey.protocol(symbol, AccountKind.BRIDGE);
                        case USDC -> AccountKey.protocol(symbol, AccountKind.ISSUER);
                        case MODEL -> throw ErrorCode.TOKEN_NOT_DEPOSITABLE.problem(symbol + " is a model token: it is minted by its launch, never deposited");
                        case LP -> throw ErrorCode.TOKEN_NOT_DEPOSITABLE.problem(symbol + " is a pool's LP shares: they are minted by adding liquidity, never deposited");
                    };
                    return new Operation.Transfer(transferId, debit, new AccountKey(userId, symbol, AccountKind.USER),
                            OperationMapper.amount(token, amount), "DEPOSIT", transferId);
                })
                .map(applied -> {
                    JournalEntry e = ((TransferDone) applied.results().get(0)).entry();
                    Deposit deposit = new Deposit(body.depositId(), body.depositId(), userId, symbol,
                            LedgerRules.format(ledger.cachedToken(symbol), e.amount()), "POSTED", e.id(), e.createdAt());
                    return Response.status(Response.Status.CREATED).entity(deposit)
                            .header("Idempotent-Replayed", Boolean.toString(applied.replayed())).build();
                }));
    }
}
