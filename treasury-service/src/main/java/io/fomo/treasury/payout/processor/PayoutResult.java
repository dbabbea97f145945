package io.fomo.treasury.payout.processor;

/**
 * The processor's definite answer: {@code paid} (the value left; the pending transfer is posted) or refused with a
 * reason (nothing left; the pending transfer is voided). No answer (an exception, a timeout) is not a result: the row
 * stays PAYING and is asked again with the same payoutId.
 */
public record PayoutResult(boolean paid, String reason) {

    public static PayoutResult paidOut() {
        return new PayoutResult(true, null);
    }

    public static PayoutResult refused(String reason) {
        return new PayoutResult(false, reason);
    }
}
