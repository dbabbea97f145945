package io.fomo.billing.holds;

import java.math.BigInteger;

/**
 * SPEC §4: "A capture above the hold takes the extra from free credits; if they are short, it charges the hold and all
 * free credits and reports the uncollected rest (served tokens are never free, and the balance never goes below
 * zero)." (§1: "inference never goes free".)
 *
 * <p>This is the Java half of the rule; the database half is {@code billing_capture} / {@code billing_capture_group}
 * (migration V9), which takes {@code extra} from the wallet's free credits, or all of them when they are short, and
 * stores the uncollected rest in {@code grpc_request.uncollected} and the collected charge in the capture row. Java
 * prices the full charge ({@link #released}, {@link #extra}); the answer of a capture with an uncollected part, first
 * or replayed, is made from the full answer and the stored uncollected amount by {@link #collected}, so the two halves
 * agree on what was collected.
 */
public final class CaptureAboveHold {

    private CaptureAboveHold() {
    }

    /** What a capture gives back to the free credits: the hold less the charge, 0 when the charge is above the hold. */
    public static BigInteger released(BigInteger held, BigInteger charged) {
        return held.subtract(charged).max(BigInteger.ZERO);
    }

    /** What a capture takes from the free credits beyond the hold: the charge less the hold, 0 when it fits. */
    public static BigInteger extra(BigInteger held, BigInteger charged) {
        return charged.subtract(held).max(BigInteger.ZERO);
    }

    /**
     * The charge as collected when {@code uncollected} of it could not be: charged = what was collected, compute cost
     * paid first from it, net the rest (as the capture row of V9), extra = what the free credits gave.
     */
    public static Collected collected(BigInteger charged, BigInteger compute, BigInteger extra, BigInteger uncollected) {
        if (uncollected == null || uncollected.signum() == 0) {
            return new Collected(charged, compute, charged.subtract(compute), extra, BigInteger.ZERO);
        }
        BigInteger got = charged.subtract(uncollected);
        BigInteger paidCompute = compute.min(got);
        return new Collected(got, paidCompute, got.subtract(paidCompute), extra.subtract(uncollected), uncollected);
    }

    /** A capture's amounts as collected (USDC base units). */
    public record Collected(BigInteger charged, BigInteger compute, BigInteger net, BigInteger extra, BigInteger uncollected) {
    }
}
