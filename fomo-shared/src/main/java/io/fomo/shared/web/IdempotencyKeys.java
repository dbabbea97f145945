package io.fomo.shared.web;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import io.fomo.shared.db.DbRow;
import io.fomo.shared.db.Tx;
import io.fomo.shared.errors.ErrorCode;
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
     * Runs {@code action} once per (scope, key), on {@code tx}: the transaction of the action it guards
     * ({@code db.transaction(tx -> keys.once(tx, ...))}). {@code scope} separates key spaces (e.g. the caller's subject
     * and the operation), {@code request} is the request as received.
     */
    public <T> Uni<T> once(Tx tx, String scope, String key, Object request, Class<T> responseType, Supplier<Uni<T>> action) {
        requireKey(key);
        String hash = fingerprint(request);
        return IdempotencyStore.claim(tx, scope, key, hash).flatMap(claimed -> claimed
                ? action.get().call(result -> IdempotencyStore.answer(tx, scope, key, write(result)))
                : IdempotencyStore.first(tx, scope, key).map(row -> replay(row.orElseThrow(
                        () -> new IllegalStateException("idempotency row " + scope + "/" + key + " vanished")), hash,
                        responseType)));
    }

    private <T> T replay(DbRow row, String hash, Class<T> responseType) {
        if (!hash.equals(row.string("request_hash"))) {
            throw ErrorCode.IDEMPOTENCY_KEY_REUSED.problem(
                    "This idempotency key was already used with a different request");
        }
        try {
            return mapper.readValue(row.string("response_body"), responseType);
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
