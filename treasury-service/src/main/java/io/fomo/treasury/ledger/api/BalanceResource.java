package io.fomo.treasury.ledger.api;

import io.fomo.shared.errors.ErrorCode;
import io.fomo.treasury.ledger.Balances;
import io.fomo.treasury.ledger.LedgerService;
import io.fomo.treasury.ledger.model.LedgerRules;
import io.fomo.treasury.ledger.model.LedgerToken;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code GET /api/v1/balances/me} (user) and {@code GET /api/v1/balances/{userId}} (operator, or the user
 * themself; anyone else is 403): {@code {userId, balances:[{token, available, held, staked, unbonding}]}} with
 * whole-token decimal strings (SPEC §9). A user is the token's subject ({@code sub}).
 */
@Path("/api/v1/balances")
@Produces(MediaType.APPLICATION_JSON)
public class BalanceResource {

    public record TokenBalance(String token, String available, String held, String staked, String unbonding) {
    }

    public record UserBalances(String userId, List<TokenBalance> balances) {
    }

    @Inject
    LedgerService ledger;

    @Inject
    JsonWebToken jwt;

    @Inject
    SecurityIdentity identity;

    @GET
    @Path("me")
    @RolesAllowed("user")
    public Uni<UserBalances> mine() {
        return balances(jwt.getSubject());
    }

    @GET
    @Path("{userId}")
    @RolesAllowed({"operator", "user"})
    public Uni<UserBalances> of(@PathParam("userId") String userId) {
        if (!identity.hasRole("operator") && !userId.equals(jwt.getSubject())) {
            throw ErrorCode.FORBIDDEN.problem("a user reads only their own balances");
        }
        return balances(OperationMapper.owner(userId, "userId"));
    }

    private Uni<UserBalances> balances(String userId) {
        return ledger.accounts(userId, null).flatMap(accounts -> {
            Set<String> symbols = new HashSet<>();
            accounts.forEach(a -> symbols.add(a.key().token()));
            return ledger.tokens(symbols).map(tokens -> new UserBalances(userId, Balances.of(accounts).stream()
                    .map(b -> {
                        LedgerToken t = tokens.get(b.token());
                        return new TokenBalance(b.token(), LedgerRules.format(t, b.available()),
                                LedgerRules.format(t, b.held()), LedgerRules.format(t, b.staked()),
                                LedgerRules.format(t, b.unbonding()));
                    }).toList()));
        });
    }
}
