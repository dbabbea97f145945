package io.fomo.testkit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * Malformed request material for the fuzz tests of issue #17 ("at least 200 malformed requests per state-changing
 * REST endpoint and gRPC method"): wrong JSON types, control characters, huge, negative and fractional numbers,
 * out-of-range dates and durations, missing and unknown fields, unknown ids, oversized bodies. Plain Java (no test
 * engine of its own), so a {@code @QuarkusTest} can loop over it and a jqwik property can draw from it
 * ({@code Arbitraries.of(Hostile.jsonValues())}); every list is the same on every run, and the random parts take a
 * seed, so a failure names a case that can be replayed.
 */
public final class Hostile {

    private static final String HUGE_TEXT = "x".repeat(100_000);

    private Hostile() {
    }

    /** Hostile strings as Java values (for gRPC string fields and path segments). */
    public static List<String> strings() {
        return List.of(
                "", " ", "\u0000", "a\u0000b", "\u0001", "\u001f", "\t", "line\nbreak", "\r", "\u007f", "\u0085",
                "\u009f", "\ud800", "x\udc00y", "\ufeff", "\u202e", HUGE_TEXT, "x".repeat(5000), "-1", "+1", "1e5",
                "1E400", "0.0000000000000000000000001", "1,000", "1_000", " 1", "1 ", "\uff11", "NaN", "Infinity",
                "-0", "00", "0x10", "99999999999999999999999999999999999999999",
                "340282366920938463463374607431768211456", "9223372036854775808", "<script>alert(1)</script>",
                "' OR 1=1 --", "../../etc/passwd", "%00", "%2e%2e", "null", "undefined", "true", "{}", "[]",
                "+200000-01-01T00:00:00Z", "-999999999-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
                "0000-01-01T00:00:00Z", "2026-13-45T99:99:99Z", "P200000000D", "PT-1S", "-P1D", "P1000000Y",
                "nobody", UUID.nameUUIDFromBytes("fomo-hostile-unknown".getBytes()).toString(),
                "00000000-0000-0000-0000-000000000000", "not-a-uuid", "\u00e9\u0301", "\ud83d\ude00");
    }

    /** Hostile 64-bit integers (for gRPC integer fields). */
    public static List<Long> longs() {
        return List.of(Long.MIN_VALUE, -1L << 53, Integer.MIN_VALUE - 1L, -1L, 0L, 1L << 31, 1L << 53, (1L << 62) + 1,
                Long.MAX_VALUE - 1, Long.MAX_VALUE);
    }

    /** Hostile JSON values, as JSON text, for one field of a body: every JSON type, bad numbers, bad strings. */
    public static List<String> jsonValues() {
        List<String> values = new ArrayList<>(List.of(
                "null", "true", "false", "[]", "{}", "[1]", "{\"a\":1}", "[\"1\"]", "0", "-1", "1", "1.5", "-0.0",
                "1e400", "-1e400", "1e-400", "9223372036854775808", "-9223372036854775809",
                "99999999999999999999999999999999999999999999999999", "0.0000000000000000000000000001", "100000",
                "\"" + "9".repeat(5000) + "\""));
        for (String s : strings()) {
            values.add(json(s));
        }
        return Collections.unmodifiableList(values);
    }

    /** Whole bodies that are not a JSON object of the endpoint's shape at all. */
    public static List<String> malformedBodies() {
        return List.of("", " ", "null", "[]", "[{}]", "\"text\"", "42", "true", "{", "}", "{\"a\":}", "{'a':1}",
                "{\"a\":1,}", "{\"a\":\"\\u0000\"", "\u0000", "{\"a\":NaN}", "not json at all",
                "{\"" + "k".repeat(10_000) + "\":1}", "[" + "[".repeat(5000) + "]".repeat(5000) + "]",
                "{\"pad\":\"" + "x".repeat(2_000_000) + "\"}");
    }

    /**
     * At least {@code atLeast} hostile variants of {@code valid} (field name → a Java value: String, Number, Boolean,
     * null, Map or List), as JSON text: each field replaced by each of {@link #jsonValues()}, each field missing, an
     * unknown field added, {@link #malformedBodies()}, then seeded random mixes of two or three mutated fields
     * until there are enough. Every variant differs from {@code valid}; none is guaranteed invalid by itself (a
     * missing optional field may be fine), so a test asserts "never 5xx, nothing written", not a specific refusal.
     */
    public static List<String> bodies(Map<String, ?> valid, int atLeast, long seed) {
        List<String> values = jsonValues();
        List<String> out = new ArrayList<>(malformedBodies());
        Map<String, String> fields = new LinkedHashMap<>();
        valid.forEach((k, v) -> fields.put(k, json(v)));
        for (String field : fields.keySet()) {
            for (String value : values) {
                Map<String, String> copy = new LinkedHashMap<>(fields);
                copy.put(field, value);
                out.add(object(copy));
            }
            Map<String, String> missing = new LinkedHashMap<>(fields);
            missing.remove(field);
            out.add(object(missing));
        }
        Map<String, String> unknown = new LinkedHashMap<>(fields);
        unknown.put("unexpectedField", "\"surprise\"");
        out.add(object(unknown));
        Random random = new Random(seed);
        List<String> names = new ArrayList<>(fields.keySet());
        while (out.size() < atLeast && !names.isEmpty()) {
            Map<String, String> copy = new LinkedHashMap<>(fields);
            int mutations = 2 + random.nextInt(2);
            for (int i = 0; i < mutations; i++) {
                copy.put(names.get(random.nextInt(names.size())), values.get(random.nextInt(values.size())));
            }
            out.add(object(copy));
        }
        return Collections.unmodifiableList(out);
    }

    /** Hostile path segments, URL-encoded, for {@code GET /things/{id}}-style endpoints. */
    public static List<String> pathSegments() {
        List<String> out = new ArrayList<>();
        for (String s : strings()) {
            if (!s.isEmpty() && s.length() < 6000) {
                out.add(java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20"));
            }
        }
        return out;
    }

    /** {@code value} as JSON text (String, Number, Boolean, null, Map, List; anything else by its toString). */
    public static String json(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Number || value instanceof Boolean) {
            return value.toString();
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, String> fields = new LinkedHashMap<>();
            map.forEach((k, v) -> fields.put(String.valueOf(k), json(v)));
            return object(fields);
        }
        if (value instanceof List<?> list) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < list.size(); i++) {
                sb.append(i == 0 ? "" : ",").append(json(list.get(i)));
            }
            return sb.append(']').toString();
        }
        String s = value.toString();
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || Character.isSurrogate(c)) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    private static String object(Map<String, String> fields) {
        StringBuilder sb = new StringBuilder("{");
        boolean first = true;
        for (Map.Entry<String, String> e : fields.entrySet()) {
            sb.append(first ? "" : ",").append(json(e.getKey())).append(':').append(e.getValue());
            first = false;
        }
        return sb.append('}').toString();
    }
}
