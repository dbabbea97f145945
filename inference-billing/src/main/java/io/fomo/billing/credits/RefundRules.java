package io.fomo.billing.credits;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Framework-free rules of a credits refund (issue #21): the destination's syntax (the treasury's USDC destination rule:
 * an address or a bank reference), and the request hash that tells a replay from another body under the same key.
 */
public final class RefundRules {

    /** The treasury's USDC destinations: an EVM address or a bank reference (CONTRACT-21, H1's destination rules). */
    static final Pattern ADDRESS = Pattern.compile("^0x[0-9a-fA-F]{40}$");
    static final Pattern BANK = Pattern.compile("^acct:[A-Za-z0-9._-]{3,64}$");

    private RefundRules() {
    }

    /** A destination is optional (null: the refund stays in the user's USDC balance); else it must match a rule. */
    public static boolean validDestination(String destination) {
        return destination == null || ADDRESS.matcher(destination).matches() || BANK.matcher(destination).matches();
    }

    /** SHA-256 (hex) of what a refund asks for: its amount in base units and its destination. */
    public static String requestHash(BigInteger units, String destination) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(
                    ("REFUND\n" + units + "\n" + (destination == null ? "" : destination)).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
