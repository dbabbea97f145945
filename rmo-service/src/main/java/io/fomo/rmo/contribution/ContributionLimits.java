package io.fomo.rmo.contribution;

import java.math.BigInteger;
import java.time.Instant;

import io.fomo.shared.errors.ErrorCode;
import io.fomo.rmo.offering.OfferingState;
import io.fomo.rmo.offering.OfferingTerms;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;

/**
 * SPEC §3 "A user contributes FLOCK while OPEN ... Insufficient balance, closed window, caps exceeded: clear error,
 * nothing held": when a contribution is accepted. Plain Java.
 */
public final class ContributionLimits {

    private ContributionLimits() {
    }

    /** The offering's terms a contribution is judged by. */
    public record Terms(OfferingState state, boolean closeStarted, Instant opensAt, Instant closesAt, BigInteger price,
            BigInteger minContribution, BigInteger maxContribution) {
    }

    /** Open window and the least useful amount: at least the minimum, and at least one MT base unit at P. */
    public static void check(Terms t, BigInteger amount, Instant now) {
        if (t.state() == OfferingState.DRAFT || (t.state() == OfferingState.OPEN && now.isBefore(t.opensAt()))) {
            throw ErrorCode.OFFERING_NOT_OPEN.problem("the offering is not open for contributions yet");
        }
        if (t.state() != OfferingState.OPEN || t.closeStarted() || !now.isBefore(t.closesAt())) {
            throw ErrorCode.OFFERING_CLOSED.problem("the offering's window is closed");
        }
        BigInteger useful = t.price().add(OfferingTerms.ONE_MT).subtract(BigInteger.ONE).divide(OfferingTerms.ONE_MT);
        BigInteger floor = t.minContribution() == null ? useful : t.minContribution().max(useful);
        if (amount.compareTo(floor) < 0) {
            throw ErrorCode.CONTRIBUTION_BELOW_MIN.problem("a contribution must be at least "
                    + flock(floor) + " FLOCK");
        }
    }

    /** The per-user cap: what the user contributed before plus this amount. */
    public static void checkCap(Terms t, BigInteger before, BigInteger amount) {
        BigInteger max = t.maxContribution();
        if (max != null && before.add(amount).compareTo(max) > 0) {
            throw ErrorCode.CONTRIBUTION_ABOVE_MAX.problem("at most " + flock(max)
                    + " FLOCK per user; you contributed " + flock(before) + " already");
        }
    }

    private static String flock(BigInteger units) {
        return Amount.ofUnits(Token.FLOCK, units).toDecimalString();
    }
}
