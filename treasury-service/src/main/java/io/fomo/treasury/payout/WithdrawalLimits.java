package io.fomo.treasury.payout;

import java.math.BigInteger;
import java.util.Map;

import io.fomo.treasury.ledger.model.TokenKind;

/**
 * The daily limit and the approval threshold of withdrawals (framework-free). Configured per token symbol, else per token
 * kind, else the built-in default (USDC 100,000 a day and approval above 10,000; FLOCK and model tokens 1,000,000 and
 * 100,000), in whole tokens.
 */
public final class WithdrawalLimits {

    private WithdrawalLimits() {
    }

    /** The configured whole-token value for a token: by symbol, else by kind, else {@code fallback}. */
    public static String pick(Map<String, String> config, String symbol, TokenKind kind, String fallback) {
        String v = config.get(symbol);
        if (v == null) {
            v = config.get(kind.name());
        }
        return v == null ? fallback : v.trim();
    }

    public static String defaultDailyLimit(TokenKind kind) {
        return kind == TokenKind.USDC ? "100000" : "1000000";
    }

    public static String defaultApprovalThreshold(TokenKind kind) {
        return kind == TokenKind.USDC ? "10000" : "100000";
    }

    /** Whether a new withdrawal of {@code amount} fits: today's counted withdrawals + amount ≤ limit. */
    public static boolean withinDailyLimit(BigInteger countedToday, BigInteger amount, BigInteger limit) {
        return countedToday.add(amount).compareTo(limit) <= 0;
    }

    /** The state a new withdrawal starts in: above the threshold it waits for an operator. */
    public static PayoutState initialState(BigInteger amount, BigInteger threshold) {
        return amount.compareTo(threshold) > 0 ? PayoutState.AWAITING_APPROVAL : PayoutState.HELD;
    }
}
