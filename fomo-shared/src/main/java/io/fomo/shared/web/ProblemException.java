package io.fomo.shared.web;

import java.util.Optional;

import io.fomo.shared.errors.ErrorCode;

/**
 * A refusal with an HTTP status and a stable code, mapped to problem+json by {@link ProblemMappers} and to a
 * gRPC status by the gRPC layer. Thrown before anything is written, or inside the transaction that it rolls back.
 *
 * <p>Raise one through the vocabulary: {@code throw ErrorCode.HOLD_NOT_FOUND.problem("no hold " + id)}; its
 * statuses are then the code's, everywhere. The (status, code) constructor and factories are kept for services
 * that have not moved yet: a code of the vocabulary takes the vocabulary's HTTP status whatever status is passed
 * (one status per code); a code outside it keeps the status given.
 */
public class ProblemException extends RuntimeException {

    private final int status;
    private final String code;
    private final ErrorCode errorCode;

    /** A refusal of the vocabulary (prefer {@link ErrorCode#problem(String)}). */
    public ProblemException(ErrorCode code, String detail) {
        this(code.http(), code.code(), code, detail);
    }

    /**
     * A refusal by status and code string.
     *
     * @deprecated use {@link ErrorCode#problem(String)}; a code of the vocabulary gets its one HTTP status here
     */
    @Deprecated(since = "issue 18")
    public ProblemException(int status, String code, String detail) {
        this(ErrorCode.find(code).map(ErrorCode::http).orElse(status), code, ErrorCode.find(code).orElse(null), detail);
    }

    private ProblemException(int status, String code, ErrorCode errorCode, String detail) {
        super(detail);
        this.status = status;
        this.code = code;
        this.errorCode = errorCode;
    }

    /**
     * Another service's refusal relayed with the HTTP status chosen for it here, even for a code of the vocabulary
     * (e.g. a callee refusing this service's own token is this service's 500, whatever code it sent). Only for
     * translating an outgoing call's failure ({@code GrpcErrors.toProblem}).
     */
    public static ProblemException relayed(int status, String code, String detail) {
        ErrorCode known = ErrorCode.find(code).filter(c -> c.http() == status).orElse(null);
        return new ProblemException(status, code, known, detail);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** The code of the vocabulary, unless this is a code outside it or a relayed refusal with another status. */
    public Optional<ErrorCode> errorCode() {
        return Optional.ofNullable(errorCode);
    }
}
