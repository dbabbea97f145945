package io.fomo.staking.stakes;

import java.math.BigInteger;

import io.fomo.shared.money.Token;

/** A recorded stake or unstake (a {@code stake_op} row with its model's MT symbol). */
public record StakeOp(String id, Kind kind, String userId, String deploymentId, String symbol, BigInteger amount,
        StakeOpState state, String idemScope, String idemKey) {

    /** Table {@code stake_op}, CHECK {@code kind IN ('STAKE', 'UNSTAKE')}. */
    public enum Kind {
        STAKE, UNSTAKE;

        /** The prefix of the idempotency scope and of the ledger transfer id. */
        String prefix() {
            return this == STAKE ? "stake:" : "unstake:";
        }
    }

    public Token token() {
        return Token.modelToken(symbol);
    }
}
