package io.fomo.billing.credits;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies {@code X-Fomo-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">}: any of the
 * configured secrets (two during a rotation) and any {@code v1} entry may match; the timestamp must be within the
 * tolerance of now (either side). Comparison is constant-time. Plain Java, unit-testable.
 */
public final class WebhookSignature {

    private WebhookSignature() {
    }

    public static String sign(String secret, long t, String body) {
        return HexFormat.of().formatHex(hmac(secret, t + "." + body));
    }

    /** Throws a 401 {@code INVALID_SIGNATURE} problem unless the header is valid for the body. */
    public static void verify(String header, String body, List<String> secrets, Duration tolerance, Instant now) {
        if (header == null || header.isBlank() || body == null) {
            throw unauthorized("missing X-Fomo-Signature");
        }
        Long t = null;
        List<String> signatures = new ArrayList<>();
        for (String part : header.split(",")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw unauthorized("malformed X-Fomo-Signature");
            }
            String key = part.substring(0, eq).trim();
            String value = part.substring(eq + 1).trim();
            if (key.equals("t")) {
                try {
                    t = Long.parseLong(value);
                } catch (NumberFormatException e) {
                    throw unauthorized("malformed timestamp");
                }
            } else if (key.equals("v1")) {
                signatures.add(value);
            }
        }
        if (t == null || signatures.isEmpty()) {
            throw unauthorized("X-Fomo-Signature needs t= and v1=");
        }
        if (Math.abs(now.getEpochSecond() - t) > tolerance.toSeconds()) {
            throw unauthorized("signature timestamp outside the tolerance of " + tolerance);
        }
        for (String secret : secrets) {
            if (secret.isBlank()) {
                continue;
            }
            byte[] expected = hmac(secret, t + "." + body);
            for (String sig : signatures) {
                byte[] given;
                try {
                    given = HexFormat.of().parseHex(sig);
                } catch (IllegalArgumentException e) {
                    continue;
                }
                if (MessageDigest.isEqual(expected, given)) {
                    return;
                }
            }
        }
        throw unauthorized("signature does not match");
    }

    private static io.fomo.shared.web.ProblemException unauthorized(String detail) {
        return io.fomo.shared.errors.ErrorCode.INVALID_SIGNATURE.problem(detail);
    }

    private static byte[] hmac(String secret, String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(payload.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }
}
