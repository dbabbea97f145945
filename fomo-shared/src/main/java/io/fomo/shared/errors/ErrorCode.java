package io.fomo.shared.errors;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.fomo.shared.grpc.GrpcErrors;
import io.fomo.shared.web.ProblemException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * The suite's one error vocabulary (SPEC §9: a stable machine-readable {@code code} in every REST problem+json and
 * in every gRPC refusal's {@code fomo-error-code} trailer): each code has exactly ONE HTTP status and ONE gRPC status,
 * in every service. The code strings are on the wire (clients and tests read them): never rename one.
 *
 * <p>Raise one: {@code throw ErrorCode.HOLD_NOT_FOUND.problem("no hold " + id)} — a {@link ProblemException} that
 * {@code ProblemMappers} answers as problem+json with {@link #http()}, and {@link GrpcErrors#toStatusException}
 * turns into {@link #grpc()} with the code in the trailer. {@link #status(String)} builds the gRPC failure directly.
 *
 * <p>The kinds (fomo-shared {@code proto/README.md}, "Errors"): malformed input 400 / INVALID_ARGUMENT; a missing
 * referenced thing 404 / NOT_FOUND; the state forbids it now 409 / FAILED_PRECONDITION; an id reused for another
 * content, or a name taken by an identical registration, 409 / ALREADY_EXISTS; a transient concurrency conflict
 * 409 / ABORTED (retry with the same id); credits that cannot cover a hold 402 / RESOURCE_EXHAUSTED; a dependency
 * down 503 / UNAVAILABLE.
 */
public enum ErrorCode {

    // ---- 400 / INVALID_ARGUMENT: malformed or out-of-range input, whatever the state
    INVALID_REQUEST(400, Status.Code.INVALID_ARGUMENT),
    MALFORMED_REQUEST(400, Status.Code.INVALID_ARGUMENT),
    INVALID_ARGUMENT(400, Status.Code.INVALID_ARGUMENT),
    /** {@link io.fomo.shared.money.InvalidAmountException#CODE}. */
    INVALID_AMOUNT(400, Status.Code.INVALID_ARGUMENT),
    INVALID_ACCOUNT(400, Status.Code.INVALID_ARGUMENT),
    INVALID_AFTER(400, Status.Code.INVALID_ARGUMENT),
    INVALID_ALLOCATION(400, Status.Code.INVALID_ARGUMENT),
    INVALID_BASE_URL(400, Status.Code.INVALID_ARGUMENT),
    INVALID_BATCH(400, Status.Code.INVALID_ARGUMENT),
    INVALID_CODE(400, Status.Code.INVALID_ARGUMENT),
    INVALID_CONTRIBUTION_LIMITS(400, Status.Code.INVALID_ARGUMENT),
    INVALID_DATE(400, Status.Code.INVALID_ARGUMENT),
    INVALID_DEADLINE(400, Status.Code.INVALID_ARGUMENT),
    INVALID_DEPLOYMENT(400, Status.Code.INVALID_ARGUMENT),
    INVALID_DEPLOYMENT_ID(400, Status.Code.INVALID_ARGUMENT),
    INVALID_DEPOSIT_ID(400, Status.Code.INVALID_ARGUMENT),
    /** Issue #21: a withdrawal's or payout's destination the token's destination rule refuses. */
    INVALID_DESTINATION(400, Status.Code.INVALID_ARGUMENT),
    INVALID_DISPLAY_NAME(400, Status.Code.INVALID_ARGUMENT),
    INVALID_DURATION(400, Status.Code.INVALID_ARGUMENT),
    INVALID_EPOCH(400, Status.Code.INVALID_ARGUMENT),
    INVALID_EXPIRY(400, Status.Code.INVALID_ARGUMENT),
    INVALID_ID(400, Status.Code.INVALID_ARGUMENT),
    INVALID_IDEMPOTENCY_KEY(400, Status.Code.INVALID_ARGUMENT),
    INVALID_KEY(400, Status.Code.INVALID_ARGUMENT),
    INVALID_LIMIT(400, Status.Code.INVALID_ARGUMENT),
    INVALID_MODEL_ID(400, Status.Code.INVALID_ARGUMENT),
    INVALID_OWNER(400, Status.Code.INVALID_ARGUMENT),
    INVALID_PAGE_SIZE(400, Status.Code.INVALID_ARGUMENT),
    INVALID_PAGE_TOKEN(400, Status.Code.INVALID_ARGUMENT),
    INVALID_RANGE(400, Status.Code.INVALID_ARGUMENT),
    INVALID_REFERENCE(400, Status.Code.INVALID_ARGUMENT),
    INVALID_SOFT_CAP(400, Status.Code.INVALID_ARGUMENT),
    INVALID_STATE(400, Status.Code.INVALID_ARGUMENT),
    INVALID_SYMBOL(400, Status.Code.INVALID_ARGUMENT),
    INVALID_TOKEN(400, Status.Code.INVALID_ARGUMENT),
    INVALID_TOKENS(400, Status.Code.INVALID_ARGUMENT),
    INVALID_USE_OF_FUNDS(400, Status.Code.INVALID_ARGUMENT),
    INVALID_WINDOW(400, Status.Code.INVALID_ARGUMENT),
    CONTRIBUTION_BELOW_MIN(400, Status.Code.INVALID_ARGUMENT),
    DURATION_TOO_LONG(400, Status.Code.INVALID_ARGUMENT),
    PRICE_BELOW_COST(400, Status.Code.INVALID_ARGUMENT),
    PRICE_TOO_HIGH(400, Status.Code.INVALID_ARGUMENT),
    TOKEN_NOT_DEPOSITABLE(400, Status.Code.INVALID_ARGUMENT),
    /** Issue #21: a token that cannot leave the protocol (LP shares). */
    TOKEN_NOT_WITHDRAWABLE(400, Status.Code.INVALID_ARGUMENT),
    UNKNOWN_TOKEN(400, Status.Code.INVALID_ARGUMENT),
    /** The framework could not read the body's media type (REST only). */
    UNSUPPORTED_MEDIA_TYPE(415, Status.Code.INVALID_ARGUMENT),

    // ---- 401 / UNAUTHENTICATED, 403 / PERMISSION_DENIED (SPEC §8)
    UNAUTHENTICATED(401, Status.Code.UNAUTHENTICATED),
    INVALID_SIGNATURE(401, Status.Code.UNAUTHENTICATED),
    FORBIDDEN(403, Status.Code.PERMISSION_DENIED),
    OPERATION_NOT_ALLOWED(403, Status.Code.PERMISSION_DENIED),

    // ---- 404 / NOT_FOUND: a referenced thing does not exist
    NOT_FOUND(404, Status.Code.NOT_FOUND),
    CLAIM_NOT_FOUND(404, Status.Code.NOT_FOUND),
    DEPLOYMENT_NOT_FOUND(404, Status.Code.NOT_FOUND),
    EPOCH_NOT_FOUND(404, Status.Code.NOT_FOUND),
    HOLD_NOT_FOUND(404, Status.Code.NOT_FOUND),
    OFFERING_NOT_FOUND(404, Status.Code.NOT_FOUND),
    PENDING_NOT_FOUND(404, Status.Code.NOT_FOUND),
    PAYOUT_NOT_FOUND(404, Status.Code.NOT_FOUND),
    POOL_NOT_FOUND(404, Status.Code.NOT_FOUND),
    REFUND_NOT_FOUND(404, Status.Code.NOT_FOUND),
    STAKE_OP_NOT_FOUND(404, Status.Code.NOT_FOUND),
    TOKEN_NOT_FOUND(404, Status.Code.NOT_FOUND),
    UNKNOWN_USER(404, Status.Code.NOT_FOUND),
    VESTING_NOT_FOUND(404, Status.Code.NOT_FOUND),
    WITHDRAWAL_NOT_FOUND(404, Status.Code.NOT_FOUND),

    /** The framework has no such method on the path (REST only). */
    METHOD_NOT_ALLOWED(405, Status.Code.UNIMPLEMENTED),

    // ---- 409 / FAILED_PRECONDITION: the state forbids it now; the same call again will not help
    CONTRIBUTION_ABOVE_MAX(409, Status.Code.FAILED_PRECONDITION),
    CONTRIBUTION_NOT_HELD(409, Status.Code.FAILED_PRECONDITION),
    /** A swap's own deadline has passed (not the gRPC call's deadline). */
    DEADLINE_EXCEEDED(409, Status.Code.FAILED_PRECONDITION),
    DEPLOYMENT_BUSY(409, Status.Code.FAILED_PRECONDITION),
    DEPLOYMENT_NOT_LIVE(409, Status.Code.FAILED_PRECONDITION),
    /** SPEC §7a: its hosting failed the re-checks; no new authorizations until a check passes. */
    DEPLOYMENT_SUSPENDED(409, Status.Code.FAILED_PRECONDITION),
    /** SPEC §7a: delisted (or being delisted) by its owner or an operator; no new authorizations, ever. */
    DEPLOYMENT_DELISTED(409, Status.Code.FAILED_PRECONDITION),
    /** Was 422 in inference-billing. */
    EPOCH_NOT_CLOSED(409, Status.Code.FAILED_PRECONDITION),
    EPOCH_PUBLISHED(409, Status.Code.FAILED_PRECONDITION),
    /** Was 422 in inference-billing. */
    HOLD_EXPIRED(409, Status.Code.FAILED_PRECONDITION),
    /** Was 422 in inference-billing. */
    HOLD_NOT_HELD(409, Status.Code.FAILED_PRECONDITION),
    /** Issue #21: credits are refunded only while the user has no hold open. */
    HOLDS_OPEN(409, Status.Code.FAILED_PRECONDITION),
    HOSTING_NOT_VERIFIED(409, Status.Code.FAILED_PRECONDITION),
    INSUFFICIENT_BALANCE(409, Status.Code.FAILED_PRECONDITION),
    INSUFFICIENT_STAKE(409, Status.Code.FAILED_PRECONDITION),
    /** Issue #21: removing liquidity worth less than the caller's minimum, or more shares than the pool has. */
    INSUFFICIENT_LIQUIDITY(409, Status.Code.FAILED_PRECONDITION),
    /** Issue #21: a launch's LP shares before their unlock date. */
    LP_LOCKED(409, Status.Code.FAILED_PRECONDITION),
    /** Issue #21: a payout of an account or provider that is owed nothing (or less than the minimum payout). */
    NOTHING_TO_PAY(409, Status.Code.FAILED_PRECONDITION),
    OFFERING_CLOSED(409, Status.Code.FAILED_PRECONDITION),
    OFFERING_NOT_CANCELLABLE(409, Status.Code.FAILED_PRECONDITION),
    OFFERING_NOT_CLOSABLE_YET(409, Status.Code.FAILED_PRECONDITION),
    OFFERING_NOT_DRAFT(409, Status.Code.FAILED_PRECONDITION),
    OFFERING_NOT_OPEN(409, Status.Code.FAILED_PRECONDITION),
    OFFERING_WINDOW_PASSED(409, Status.Code.FAILED_PRECONDITION),
    PENDING_EXPIRED(409, Status.Code.FAILED_PRECONDITION),
    PENDING_NOT_DUE(409, Status.Code.FAILED_PRECONDITION),
    PENDING_NOT_PENDING(409, Status.Code.FAILED_PRECONDITION),
    POOL_EMPTY(409, Status.Code.FAILED_PRECONDITION),
    PRICE_IMPACT_TOO_HIGH(409, Status.Code.FAILED_PRECONDITION),
    RESERVE_EXHAUSTED(409, Status.Code.FAILED_PRECONDITION),
    SLIPPAGE_EXCEEDED(409, Status.Code.FAILED_PRECONDITION),
    SYMBOL_TAKEN(409, Status.Code.FAILED_PRECONDITION),
    TOKEN_ALREADY_MINTED(409, Status.Code.FAILED_PRECONDITION),
    /** Issue #21: a withdrawal above the user's daily limit for the token. */
    WITHDRAWAL_LIMIT_EXCEEDED(409, Status.Code.FAILED_PRECONDITION),
    /** Issue #21: an approval or rejection of a withdrawal that is not awaiting one. */
    WITHDRAWAL_NOT_AWAITING_APPROVAL(409, Status.Code.FAILED_PRECONDITION),
    ZERO_OUTPUT(409, Status.Code.FAILED_PRECONDITION),

    // ---- 409 / ALREADY_EXISTS: an idempotency key or a name reused for another content
    IDEMPOTENCY_CONFLICT(409, Status.Code.ALREADY_EXISTS),
    IDEMPOTENCY_KEY_REUSED(409, Status.Code.ALREADY_EXISTS),
    TOKEN_EXISTS(409, Status.Code.ALREADY_EXISTS),

    // ---- 409 / ABORTED: a transient concurrency conflict, nothing written; retry with the same key
    CONFLICT(409, Status.Code.ABORTED),

    // ---- 402 / 413 RESOURCE_EXHAUSTED
    /** Authorize cannot hold the worst case (SPEC §4). Was 422 / FAILED_PRECONDITION on billing's capture path. */
    INSUFFICIENT_CREDITS(402, Status.Code.RESOURCE_EXHAUSTED),
    PAYLOAD_TOO_LARGE(413, Status.Code.RESOURCE_EXHAUSTED),

    // ---- 500 / INTERNAL, 503 / UNAVAILABLE
    /** An unexpected failure; its message is never echoed. */
    INTERNAL(500, Status.Code.INTERNAL),
    IDENTITY_UNAVAILABLE(503, Status.Code.UNAVAILABLE),
    LEDGER_UNAVAILABLE(503, Status.Code.UNAVAILABLE),
    CLOSE_INTERRUPTED(503, Status.Code.UNAVAILABLE);

    private static final Map<String, ErrorCode> BY_NAME = Stream.of(values())
            .collect(Collectors.toUnmodifiableMap(ErrorCode::name, Function.identity()));

    private final int http;
    private final Status.Code grpc;

    ErrorCode(int http, Status.Code grpc) {
        this.http = http;
        this.grpc = grpc;
    }

    /** The code on the wire: the constant's name. */
    public String code() {
        return name();
    }

    /** The HTTP status of a REST answer with this code. */
    public int http() {
        return http;
    }

    /** The gRPC status of a gRPC answer with this code. */
    public Status.Code grpc() {
        return grpc;
    }

    /** This refusal as an exception to throw (REST and gRPC alike; gRPC methods end with {@code GrpcErrors}). */
    public ProblemException problem(String detail) {
        return new ProblemException(this, detail);
    }

    /** This refusal as the gRPC failure: {@link #grpc()}, the code in the trailer, the description "CODE: detail". */
    public StatusRuntimeException status(String detail) {
        return GrpcErrors.status(this, detail);
    }

    /** The code of the vocabulary spelled {@code code}, if there is one. */
    public static Optional<ErrorCode> find(String code) {
        return code == null ? Optional.empty() : Optional.ofNullable(BY_NAME.get(code));
    }

    /**
     * The code spelled {@code code} (for codes built from a field name, e.g. {@code "INVALID_" + FIELD}).
     *
     * @throws IllegalStateException when the vocabulary has no such code: add it here first
     */
    public static ErrorCode of(String code) {
        return find(code).orElseThrow(() -> new IllegalStateException("no error code " + code + " in ErrorCode"));
    }
}
