package io.fomo.staking.rewards;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

import io.fomo.shared.money.Token;

/** One (epoch, model) reward job as a worker holds it (a {@code reward_job} row with its model's MT symbol). */
public record ModelEpoch(long epoch, String deploymentId, String symbol, RewardJobState state, Instant epochEnd, BigInteger stakersPart) {

    public Token mt() {
        return Token.modelToken(symbol);
    }

    /** The job's one ledger batch id, {@code rewards:<epoch>:<deploymentId>} (a long id as its name-based UUID). */
    public String ledgerId() {
        return "rewards:" + epoch + ":" + (deploymentId.length() <= 64 ? deploymentId
                : UUID.nameUUIDFromBytes(deploymentId.getBytes(StandardCharsets.UTF_8)).toString());
    }
}
