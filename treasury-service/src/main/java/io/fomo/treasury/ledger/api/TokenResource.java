package io.fomo.treasury.ledger.api;

import io.fomo.treasury.ledger.LedgerService;
import io.fomo.treasury.ledger.model.LedgerRules;
import io.fomo.treasury.ledger.model.LedgerToken;

import io.fomo.shared.errors.ErrorCode;
import java.util.List;
import java.util.Set;

import io.fomo.treasury.ledger.store.LedgerReadStore.TokenSupply;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code GET /api/v1/tokens} and {@code GET /api/v1/tokens/{symbol}} (public): each token's decimals and supply,
 * {@code minted} (−its ISSUER balance), {@code burned} (its BURN balance) and {@code circulating} = minted − burned.
 */
@Path("/api/v1/tokens")
@Produces(MediaType.APPLICATION_JSON)
@PermitAll
public class TokenResource {

    /** A token's public view; amounts are whole-token decimal strings. */
    public record TokenView(String id, String symbol, String kind, int decimals, String deploymentId, String minted,
            String burned, String circulating, boolean mintedOnce) {

        static TokenView of(TokenSupply s) {
            LedgerToken t = s.token();
            return new TokenView(t.symbol(), t.symbol(), t.kind().name(), t.decimals(), t.deploymentId(),
                    LedgerRules.format(t, s.minted()), LedgerRules.format(t, s.burned()),
                    LedgerRules.format(t, s.circulating()), t.isMinted());
        }
    }

    @Inject
    LedgerService ledger;

    @GET
    public Uni<List<TokenView>> all() {
        return ledger.supplies(null).map(list -> list.stream().map(TokenView::of).toList());
    }

    @GET
    @Path("{symbol}")
    public Uni<TokenView> one(@PathParam("symbol") String symbol) {
        return ledger.supplies(Set.of(symbol)).map(list -> {
            if (list.isEmpty()) {
                throw ErrorCode.TOKEN_NOT_FOUND.problem("no token " + symbol);
            }
            return TokenView.of(list.get(0));
        });
    }
}
