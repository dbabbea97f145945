package io.fomo.staking.deployments;

import io.fomo.shared.money.Token;

/** A live model that can be staked and earn rewards, with its MT symbol. */
public record Deployment(String id, String symbol) {

    public Token token() {
        return Token.modelToken(symbol);
    }
}
