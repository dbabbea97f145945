package io.fomo.shared.web;

/**
 * The one rule for text that arrives from outside (issue #17, "hostile input, everywhere"): every string field, path
 * segment and query parameter refuses control characters and has a length bound. Framework-free; used by the JSON
 * reader ({@link StrictJson}), the REST request filter ({@link HostileTextFilter}) and the gRPC interceptor
 * ({@code io.fomo.shared.grpc.HostileTextInterceptor}). Fields with a tighter bound (a symbol, an id) check it
 * themselves.
 *
 * <p>Refused: C0 controls (U+0000–U+001F, tab and newlines included), DEL (U+007F), C1 controls (U+0080–U+009F)
 * and unpaired UTF-16 surrogates (PostgreSQL cannot store a NUL, and none of these belongs in an id, a name, a URL
 * or an amount).
 */
public final class Text {

    /** The longest string any field accepts unless it names a tighter bound: {@value}. */
    public static final int MAX_LENGTH = 4096;

    private Text() {
    }

    /** Why {@code text} is refused, or {@code null} when it is acceptable ({@code null} text is acceptable). */
    public static String problem(CharSequence text, int maxLength) {
        if (text == null) {
            return null;
        }
        if (text.length() > maxLength) {
            return "is longer than " + maxLength + " characters";
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
                return String.format("contains the control character U+%04X at position %d", (int) c, i);
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return "contains an unpaired surrogate at position " + i;
            }
            if (Character.isLowSurrogate(c)) {
                return "contains an unpaired surrogate at position " + i;
            }
        }
        return null;
    }

    /** {@link #problem(CharSequence, int)} with {@link #MAX_LENGTH}. */
    public static String problem(CharSequence text) {
        return problem(text, MAX_LENGTH);
    }

    /**
     * {@code text} made safe to show in a report or a log: control characters and surrogates as {@code '?'}, at most
     * {@code max} characters ({@code "null"} for null).
     */
    public static String printable(CharSequence text, int max) {
        if (text == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < text.length() && b.length() < max; i++) {
            char c = text.charAt(i);
            b.append(c < 0x20 || (c >= 0x7f && c <= 0x9f) || Character.isSurrogate(c) ? '?' : c);
        }
        return b.toString();
    }

    /**
     * Checks a named field: returns {@code text} when acceptable, else throws a 400 {@code INVALID_REQUEST}
     * {@link ProblemException} naming the field.
     */
    public static String require(String field, String text, int maxLength) {
        String problem = problem(text, maxLength);
        if (problem != null) {
            throw io.fomo.shared.errors.ErrorCode.INVALID_REQUEST.problem(field + " " + problem);
        }
        return text;
    }
}
