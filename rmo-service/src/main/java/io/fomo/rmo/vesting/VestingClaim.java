package io.fomo.rmo.vesting;

import java.math.BigInteger;
import java.time.Instant;

import io.fomo.shared.ledger.LedgerAccount;
import io.fomo.shared.ledger.LedgerAccount.Kind;
import io.fomo.shared.ledger.LedgerOp;
import io.fomo.shared.money.Token;

/**
 * A recorded vesting claim (table {@code vesting_claim}), the intent of one ledger transfer: {@code amount} MT from
 * {@code (beneficiary, MT, VESTING)} to {@code (beneficiary, MT, USER)} under the id {@code id}
 * ({@code vesting:<offeringId>:from:<claimed before>}), after which {@code claimedAfter} is claimed.
 */
public record VestingClaim(String id, String offeringId, String beneficiary, String symbol, BigInteger amount,
        BigInteger claimedAfter, String idemKey, VestingClaimState state, Instant claimedAt) {

    /** The transfer id of the claim that starts after {@code claimedBefore} was claimed. */
    static String transferId(String offeringId, BigInteger claimedBefore) {
        return "vesting:" + offeringId + ":from:" + claimedBefore;
    }

    /** The scope of a beneficiary's idempotency keys for this vesting. */
    static String idemScope(String offeringId, String beneficiary) {
        return "vesting:" + offeringId + ":" + beneficiary;
    }

    LedgerOp.Transfer transfer() {
        return new LedgerOp.Transfer(id, LedgerAccount.of(beneficiary, Kind.VESTING), LedgerAccount.user(beneficiary),
                Token.modelToken(symbol), amount, "VESTING_CLAIM", "offering:" + offeringId);
    }

    /** The answer to the claim. */
    VestingView.Claim view() {
        return new VestingView.Claim(offeringId, symbol, VestingView.mt(amount), VestingView.mt(claimedAfter), id, claimedAt);
    }
}
