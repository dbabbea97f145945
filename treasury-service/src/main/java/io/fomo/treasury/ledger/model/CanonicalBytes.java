package io.fomo.treasury.ledger.model;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The byte form that {@link Operation#hash()} and a batch's hash digest: each field as its UTF-8 length in ASCII
 * digits ({@code -} for null), {@code ':'}, then its UTF-8 bytes, so that no two contents collide by
 * concatenation. Stored hashes are compared with new ones (replay or IDEMPOTENCY_CONFLICT), so this form must
 * never change. Written into one growing array, without a byte array per field.
 */
final class CanonicalBytes {

    private static final MessageDigest SHA_256;

    static {
        try {
            SHA_256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private byte[] bytes;
    private int length;

    CanonicalBytes(int capacity) {
        bytes = new byte[capacity];
    }

    /** Appends one field. */
    CanonicalBytes field(String field) {
        if (field == null) {
            ensure(2);
            bytes[length++] = '-';
            bytes[length++] = ':';
            return this;
        }
        int n = field.length();
        for (int i = 0; i < n; i++) {
            if (field.charAt(i) >= 0x80) {
                // Not ASCII: the UTF-8 length differs from the number of chars.
                byte[] utf8 = field.getBytes(StandardCharsets.UTF_8);
                prefix(utf8.length);
                ensure(utf8.length);
                System.arraycopy(utf8, 0, bytes, length, utf8.length);
                length += utf8.length;
                return this;
            }
        }
        prefix(n);
        ensure(n);
        for (int i = 0; i < n; i++) {
            bytes[length++] = (byte) field.charAt(i);
        }
        return this;
    }

    /** SHA-256 of everything appended. */
    byte[] sha256() {
        MessageDigest sha;
        try {
            sha = (MessageDigest) SHA_256.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
        sha.update(bytes, 0, length);
        return sha.digest();
    }

    private void prefix(int fieldLength) {
        ensure(11);
        if (fieldLength < 10) {
            bytes[length++] = (byte) ('0' + fieldLength);
        } else {
            String digits = Integer.toString(fieldLength);
            for (int i = 0; i < digits.length(); i++) {
                bytes[length++] = (byte) digits.charAt(i);
            }
        }
        bytes[length++] = ':';
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }
}
