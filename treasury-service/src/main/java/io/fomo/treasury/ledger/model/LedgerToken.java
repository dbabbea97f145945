package io.fomo.treasury.ledger.model;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import io.fomo.shared.money.Token;

/**
 * A token the ledger keeps. Immutable; {@link #minted(Instant)} gives the state after its one supply mint.
 *
 * @param mintedAt when the one supply mint happened (FLOCK genesis, a model token's launch); always null for USDC
 */
public record LedgerToken(String symbol, int decimals, TokenKind kind, String deploymentId, Instant registeredAt,
        Instant mintedAt) {

    public LedgerToken {
        Objects.requireNonNull(symbol, "symbol");
        Objects.requireNonNull(kind, "kind");
    }

    /** The money type of each token symbol, made once (its constructor checks the symbol with a pattern). */
    private static final Map<String, Token> MONEY = new ConcurrentHashMap<>();

    /** The money type used to parse and format its amounts. */
    public Token money() {
        Token money = MONEY.get(symbol);
        if (money == null || money.decimals() != decimals) {
            // An LP token's symbol (LP-<poolId>, issue #21) is not a money symbol; its amounts parse and format by
            // its decimals alone.
            money = new Token(kind == TokenKind.LP ? "LP" : symbol, decimals);
            MONEY.put(symbol, money);
        }
        return money;
    }

    /** Whether a model token's (or FLOCK's) one supply mint already happened. */
    public boolean isMinted() {
        return mintedAt != null;
    }

    public LedgerToken minted(Instant at) {
        return new LedgerToken(symbol, decimals, kind, deploymentId, registeredAt, at);
    }
}
