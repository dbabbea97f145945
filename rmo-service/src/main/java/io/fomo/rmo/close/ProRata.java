package io.fomo.rmo.close;

import java.math.BigInteger;

import io.fomo.shared.money.RoundingRules;

/**
 * The close formulas of SPEC §3, exactly. T = total contributed, c_i a user's contribution, S = sale quantity (MT
 * base units), P = price (FLOCK base units per whole MT), M = soft cap, H = hard cap.
 *
 * <ul>
 * <li>"T &lt; M → FAILED: every pending transfer is voided; each user has exactly their FLOCK back."</li>
 * <li>"M ≤ T ≤ H: mt_i = floor(c_i × 10^18 / P), spent_i = ceil(mt_i × P / 10^18); the pending transfer is posted
 * for spent_i, the rest (dust) released. Unsold MT S − Σ mt_i → treasury."</li>
 * <li>"T &gt; H (oversubscribed, pro-rata): mt_i = floor(S × c_i / T), spent_i = ceil(mt_i × P / 10^18), posted for
 * spent_i, the rest released (the refund). MT dust S − Σ mt_i → treasury."</li>
 * </ul>
 * Every result depends on the user's own c_i and the offering's totals only, so it is independent of order and can be
 * computed chunk by chunk while streaming the contributors.
 */
public final class ProRata {

    private static final BigInteger ONE_MT = RoundingRules.pow10(18);

    private ProRata() {
    }

    public enum Mode { FAILED, WITHIN_CAPS, OVERSUBSCRIBED }

    /** One user's outcome: MT bought and FLOCK spent; the refund is c − spent. */
    public record Share(BigInteger mt, BigInteger spent) {
        public BigInteger refund(BigInteger contributed) {
            return contributed.subtract(spent);
        }
    }

    public static Mode mode(BigInteger total, BigInteger softCap, BigInteger hardCap) {
        if (total.compareTo(softCap) < 0) {
            return Mode.FAILED;
        }
        return total.compareTo(hardCap) <= 0 ? Mode.WITHIN_CAPS : Mode.OVERSUBSCRIBED;
    }

    /** mt_i and spent_i of a user who contributed c (base units) in an offering of total T. */
    public static Share share(Mode mode, BigInteger c, BigInteger total, BigInteger price, BigInteger saleQuantity) {
        BigInteger mt;
        switch (mode) {
            case FAILED:
                return new Share(BigInteger.ZERO, BigInteger.ZERO);
            case WITHIN_CAPS:
                mt = RoundingRules.mulDivFloor(c, ONE_MT, price);
                break;
            case OVERSUBSCRIBED:
                mt = RoundingRules.mulDivFloor(saleQuantity, c, total);
                break;
            default:
                throw new IllegalArgumentException(String.valueOf(mode));
        }
        BigInteger spent = RoundingRules.mulDivCeil(mt, price, ONE_MT);
        return new Share(mt, spent);
    }

    /**
     * How much of one pending transfer is posted when a user's contributions are posted in order: the user's
     * {@code spent} is taken from their contributions in creation order, so a contribution of {@code amount} made
     * when the user had already contributed {@code cumBefore} posts {@code clamp(spent − cumBefore, 0, amount)}.
     * The posted amounts of a user's contributions sum to exactly {@code spent} (spent ≤ c).
     */
    public static BigInteger postedPart(BigInteger spent, BigInteger cumBefore, BigInteger amount) {
        BigInteger rest = spent.subtract(cumBefore);
        if (rest.signum() <= 0) {
            return BigInteger.ZERO;
        }
        return rest.min(amount);
    }
}
