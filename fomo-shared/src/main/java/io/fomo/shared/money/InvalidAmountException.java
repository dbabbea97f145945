package io.fomo.shared.money;

/**
 * An amount that the spec says must be rejected (SPEC §2): malformed, negative, more decimals than
 * the token has, zero where zero makes no sense, or too large to store. Carries the stable error
 * code {@value #CODE} for RFC 9457 problem responses (SPEC §9).
 */
public class InvalidAmountException extends IllegalArgumentException {

    /** The stable machine-readable code of SPEC §9. */
    public static final String CODE = "INVALID_AMOUNT";
    private static final int MAX_ECHOED_INPUT = 64;

    private final String tokenSymbol;
    private final String input;

    /**
     * @param tokenSymbol the token the amount was meant for (may be null if unknown)
     * @param input       the offending input as received (may be null)
     * @param reason      why it was rejected, e.g. "more than 6 decimals"
     */
    public InvalidAmountException(String tokenSymbol, String input, String reason) {
        super("Invalid " + (tokenSymbol == null ? "" : tokenSymbol + " ") + "amount " + echo(input) + ": " + reason);
        this.tokenSymbol = tokenSymbol;
        this.input = input;
    }

    /** Always {@value #CODE}. */
    public String code() {
        return CODE;
    }

    public String tokenSymbol() {
        return tokenSymbol;
    }

    /** The offending input, unabridged (the message shows at most 64 characters of it). */
    public String input() {
        return input;
    }

    /** Quotes the input for a message, shortened and with control/non-ASCII characters escaped. */
    private static String echo(String input) {
        if (input == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder("\"");
        int shown = Math.min(input.length(), MAX_ECHOED_INPUT);
        for (int i = 0; i < shown; i++) {
            char c = input.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                sb.append(c);
            } else {
                sb.append(String.format("\\u%04X", (int) c));
            }
        }
        if (shown < input.length()) {
            sb.append("...(").append(input.length()).append(" chars)");
        }
        return sb.append('"').toString();
    }
}
