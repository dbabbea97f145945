package io.fomo.staking.deployments;

import io.fomo.shared.deployments.DeploymentStatus;
import io.fomo.shared.money.Token;

/**
 * A model that went live (it can be staked and earns rewards), with its MT symbol and the status rmo reported since
 * (SPEC §7a; LIVE until a DeploymentStatusChanged says otherwise).
 */
public record Deployment(String id, String symbol, DeploymentStatus status) {

    public Deployment(String id, String symbol) {
        this(id, symbol, DeploymentStatus.LIVE);
    }

    public Token token() {
        return Token.modelToken(symbol);
    }

    /**
     * SPEC §7a: a deployment being delisted or delisted takes no new stakes (409 {@code DEPLOYMENT_DELISTED}); a
     * SUSPENDED one still does (its hosting may come back). Unstakes, unbonding releases and claims work in every status.
     */
    public boolean takesNewStakes() {
        return status != DeploymentStatus.DELISTING && status != DeploymentStatus.DELISTED;
    }
}
