package io.fomo.billing.holds;

import java.math.BigInteger;
import java.util.Arrays;

import io.fomo.shared.errors.ErrorCode;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;

/**
 * What the hot path's answers share: the check that tells a replay from a reuse of a request id (the stored request
 * hash against this call's), and the USDC decimal string of an amount for messages ({@link Amount}).
 */
final class HoldAnswers {

    private HoldAnswers() {
    }

    static void checkSameBody(String method, String requestId, byte[] hash, byte[] storedHash) {
        if (!Arrays.equals(storedHash, hash)) {
            throw ErrorCode.IDEMPOTENCY_CONFLICT.problem(method + " request_id " + requestId + " was already used with another body");
        }
    }

    static String usdc(BigInteger units) {
        return Amount.ofUnits(Token.USDC, units).toDecimalString();
    }
}
