package io.fomo.shared.web;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import io.fomo.shared.errors.ErrorCode;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * SPEC §9: every state-changing call carries an idempotency key; the same key with the same body returns
 * the first result, the same key with another body is {@code 409 IDEMPOTENCY_KEY_REUSED}.
 *
 * <p>{@link #once} must run inside the transaction of the action it guards. The key row is inserted first
 * ({@code ON CONFLICT DO NOTHING}): a concurrent request with the same key waits on that row until the first
 * commits, then reads its stored result. A failed action rolls back the key too, so a retry of a refused
 * request is refused the same way and nothing is written.
 */
@ApplicationScoped
public class IdempotencyKeys {

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private static final String CLAIM = """
            INSERT INTO fomo_idempotency (scope, idem_key, request_hash) VALUES (?1, ?2, ?3)
            ON CONFLICT (scope, idem_key) DO NOTHING""";
    private static final String FIRST = "SELECT request_hash, response_body FROM fomo_idempotency WHERE scope = ?1 AND idem_key = ?2";
    private static final String STORE = "UPDATE fomo_idempotency SET response_status = 200, response_body = ?3 WHERE scope = ?1 AND idem_key = ?2";

    private final ObjectMapper mapper;
    private final ObjectMapper canonical;

    @Inject
    public IdempotencyKeys(ObjectMapper mapper) {
        this.mapper = mapper;
        this.canonical = JsonMapper.builder()
                .configure(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY, true)
                .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
                .build();
    }

    /** Validates a key's form: 1–128 characters of {@code [A-Za-z0-9._:-]}. */
    public static String requireKey(String key) {
        if (key == null || !KEY.matcher(key).matches()) {
            throw ErrorCode.INVALID_IDEMPOTENCY_KEY.problem(
                    "idempotencyKey is required: 1-128 characters of letters, digits and . _ : -");
        }
        return key;
    }

    /**
     * Runs {@code action} once per (scope, key). {@code scope} separates key spaces (e.g. the caller's
     * subject and the operation), {@code request} is the request as received.
     */
    public <T> Uni<T> once(String scope, String key, Object request, Class<T> responseType, Supplier<Uni<T>> action) {
        requireKey(key);
        String hash = fingerprint(request);
        return Panache.getSession().flatMap(s -> s.createNativeQuery(CLAIM)
                .setParameter(1, scope).setParameter(2, key).setParameter(3, hash)
                .executeUpdate()
                .flatMap(inserted -> inserted == 1
                        ? action.get().call(result -> s.createNativeQuery(STORE)
                                .setParameter(1, scope).setParameter(2, key).setParameter(3, write(result))
                                .executeUpdate())
                        : s.createNativeQuery(FIRST, Object[].class)
                                .setParameter(1, scope).setParameter(2, key)
                                .getSingleResult()
                                .map(row -> replay(row, hash, responseType))));
    }

    private <T> T replay(Object[] row, String hash, Class<T> responseType) {
        if (!hash.equals(row[0])) {
            throw ErrorCode.IDEMPOTENCY_KEY_REUSED.problem(
                    "This idempotency key was already used with a different request");
        }
        try {
            return mapper.readValue((String) row[1], responseType);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored idempotent response is unreadable", e);
        }
    }

    private String write(Object result) {
        try {
            return mapper.writeValueAsString(result);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SHA-256 of the request's canonical JSON (properties and map keys sorted). */
    String fingerprint(Object request) {
        try {
            byte[] json = canonical.writeValueAsBytes(canonical.readTree(mapper.writeValueAsBytes(request)));
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("request is not serialisable", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
