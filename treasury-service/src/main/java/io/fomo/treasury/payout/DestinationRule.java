package io.fomo.treasury.payout;

import java.util.regex.Pattern;

import io.fomo.treasury.ledger.model.TokenKind;

/**
 * Where a token kind may be paid out to (issue #21): FLOCK and model tokens to an EVM address, USDC to an address or a
 * bank reference. A real bridge's rules replace the regex ({@code fomo.treasury.payouts.destination.<KIND>}).
 */
public interface DestinationRule {

    String EVM_ADDRESS = "^0x[0-9a-fA-F]{40}$";
    String EVM_OR_BANK = "^(0x[0-9a-fA-F]{40}|acct:[A-Za-z0-9._-]{3,64})$";

    boolean accepts(String destination);

    /** The contract's default rule of a kind (LP: nothing is withdrawable). */
    static String defaultRegex(TokenKind kind) {
        return switch (kind) {
            case USDC -> EVM_OR_BANK;
            case FLOCK, MODEL -> EVM_ADDRESS;
            case LP -> "$.^";
        };
    }

    static DestinationRule regex(String regex) {
        Pattern pattern = Pattern.compile(regex);
        return destination -> destination != null && destination.length() <= 200 && pattern.matcher(destination).matches();
    }
}
