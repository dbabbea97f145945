package io.fomo.shared.grpc;

import java.util.concurrent.CompletionException;

import org.jboss.logging.Logger;

import io.fomo.shared.errors.ErrorCode;
import io.fomo.shared.money.InvalidAmountException;
import io.fomo.shared.web.ProblemException;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.smallrye.mutiny.CompositeException;

/**
 * The one mapping between the suite's refusals and gRPC statuses (fomo-shared {@code proto/README.md},
 * "Errors"): the gRPC status says what kind of failure it is, the stable machine-readable code (the
 * same vocabulary as REST problem+json, SPEC §9) travels in the ASCII trailer {@value #TRAILER}, and the
 * status description starts with it ({@code "INSUFFICIENT_BALANCE: ..."}).
 *
 * <p>Server side: end a Mutiny gRPC method with {@code .onFailure().transform(GrpcErrors::toStatusException)}.
 * Client side: {@link #errorCode(Throwable)} reads the code back, {@link #toProblem(Throwable)} turns a failed
 * call into a {@link ProblemException} for a REST caller.
 *
 * <p>A {@link ProblemException} of the vocabulary ({@link ErrorCode}) gets its code's one gRPC status
 * ({@link ErrorCode#grpc()}); a code outside the vocabulary (a service not moved yet) falls back to
 * {@link #statusFor(int, String)}'s table by HTTP status.
 * {@link InvalidAmountException} (and any other {@link IllegalArgumentException}) is INVALID_ARGUMENT
 * ({@code INVALID_AMOUNT} / {@code INVALID_ARGUMENT}); an existing gRPC status passes through unchanged;
 * anything else is INTERNAL with code {@code INTERNAL}, logged with its stack trace, its message not echoed.
 */
public final class GrpcErrors {

    /** The trailer carrying the stable code. */
    public static final String TRAILER = "fomo-error-code";
    public static final Metadata.Key<String> ERROR_CODE = Metadata.Key.of(TRAILER, Metadata.ASCII_STRING_MARSHALLER);

    private static final Logger LOG = Logger.getLogger(GrpcErrors.class);
    private static final int MAX_DESCRIPTION = 1000;

    private GrpcErrors() {
    }

    /** A failed call with {@code code}'s gRPC status, the code in the trailer, the description {@code "CODE: detail"}. */
    public static StatusRuntimeException status(ErrorCode code, String detail) {
        return status(code.grpc(), code.code(), detail);
    }

    /** A failed call: {@code status}, the code in the trailer, the description {@code "CODE: detail"}. */
    private static StatusRuntimeException status(Status.Code status, String code, String detail) {
        Metadata trailers = new Metadata();
        trailers.put(ERROR_CODE, code);
        String description = code + ": " + (detail == null ? "" : detail);
        if (description.length() > MAX_DESCRIPTION) {
            description = description.substring(0, MAX_DESCRIPTION) + "...";
        }
        return Status.fromCode(status).withDescription(description).asRuntimeException(trailers);
    }

    /**
     * The gRPC status for an HTTP status and a code: the code's own when it is in the vocabulary, else by the HTTP
     * status (400 INVALID_ARGUMENT, 401 UNAUTHENTICATED, 403 PERMISSION_DENIED, 404 NOT_FOUND, 409
     * FAILED_PRECONDITION, 412/422 FAILED_PRECONDITION, 402/413/429 RESOURCE_EXHAUSTED, 501 UNIMPLEMENTED,
     * 503 UNAVAILABLE, else INTERNAL).
     *
     * A code of the vocabulary has its one status ({@link ErrorCode#grpc()}); the table is for the codes outside it
     * (e.g. a refusal relayed from another service).
     */
    public static Status.Code statusFor(int httpStatus, String code) {
        var known = ErrorCode.find(code);
        if (known.isPresent()) {
            return known.get().grpc();
        }
        return switch (httpStatus) {
            case 400 -> Status.Code.INVALID_ARGUMENT;
            case 401 -> Status.Code.UNAUTHENTICATED;
            case 403 -> Status.Code.PERMISSION_DENIED;
            case 404 -> Status.Code.NOT_FOUND;
            case 409, 412, 422 -> Status.Code.FAILED_PRECONDITION;
            case 402, 413, 429 -> Status.Code.RESOURCE_EXHAUSTED;
            case 501 -> Status.Code.UNIMPLEMENTED;
            case 503 -> Status.Code.UNAVAILABLE;
            default -> Status.Code.INTERNAL;
        };
    }

    /** Any failure of a gRPC method as the status the caller gets (see the class documentation). */
    public static StatusRuntimeException toStatusException(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof StatusRuntimeException sre) {
            return sre;
        }
        if (t instanceof StatusException se) {
            return new StatusRuntimeException(se.getStatus(), se.getTrailers());
        }
        if (t instanceof ProblemException p) {
            return statusOf(p);
        }
        if (t instanceof InvalidAmountException e) {
            return status(ErrorCode.INVALID_AMOUNT, e.getMessage());
        }
        if (t instanceof IllegalArgumentException e) {
            return status(ErrorCode.INVALID_ARGUMENT, e.getMessage());
        }
        if (t instanceof io.quarkus.security.UnauthorizedException || t instanceof io.quarkus.security.AuthenticationException) {
            return status(ErrorCode.UNAUTHENTICATED, "a valid bearer token is required");
        }
        if (t instanceof io.quarkus.security.ForbiddenException) {
            return status(ErrorCode.FORBIDDEN, "the caller's roles do not allow this");
        }
        ProblemException data = io.fomo.shared.web.DataErrors.refusalFor(t);
        if (data != null) {
            LOG.warnf("%s on a gRPC call: %s (a validation should have refused it first)", data.code(), t.getMessage());
            return statusOf(data);
        }
        LOG.error("unexpected failure of a gRPC call", t);
        return status(ErrorCode.INTERNAL, "an unexpected error occurred; see the service's log");
    }

    @SuppressWarnings("deprecation")
    private static StatusRuntimeException statusOf(ProblemException p) {
        return p.errorCode().map(c -> status(c, p.getMessage()))
                .orElseGet(() -> status(statusFor(p.status(), p.code()), p.code(), p.getMessage()));
    }

    /** The code of the vocabulary a failed gRPC call carries, if its status is that code's (see {@link #toProblem}). */
    public static java.util.Optional<ErrorCode> errorCodeOf(Throwable failure) {
        Throwable t = unwrap(failure);
        Status status = t instanceof StatusRuntimeException sre ? sre.getStatus()
                : t instanceof StatusException se ? se.getStatus() : null;
        return status == null ? java.util.Optional.empty()
                : ErrorCode.find(errorCode(t)).filter(c -> c.grpc() == status.getCode());
    }

    /** The stable code of a failed gRPC call (from the trailer, else the description's prefix), or null. */
    public static String errorCode(Throwable failure) {
        Throwable t = unwrap(failure);
        Status status;
        Metadata trailers;
        if (t instanceof StatusRuntimeException sre) {
            status = sre.getStatus();
            trailers = sre.getTrailers();
        } else if (t instanceof StatusException se) {
            status = se.getStatus();
            trailers = se.getTrailers();
        } else {
            return null;
        }
        if (trailers != null && trailers.get(ERROR_CODE) != null) {
            return trailers.get(ERROR_CODE);
        }
        String description = status.getDescription();
        if (description != null) {
            int colon = description.indexOf(':');
            if (colon > 0 && description.substring(0, colon).matches("[A-Z][A-Z0-9_]*")) {
                return description.substring(0, colon);
            }
        }
        return status.getCode().name();
    }

    /**
     * A failed outgoing gRPC call as a {@link ProblemException} for a REST caller, keeping the code: a code of the
     * vocabulary whose gRPC status is the call's gets the code's HTTP status (so the translation round-trips);
     * otherwise by the gRPC status: INVALID_ARGUMENT → 400, NOT_FOUND → 404, ALREADY_EXISTS / FAILED_PRECONDITION /
     * ABORTED → 409, RESOURCE_EXHAUSTED → 429, UNAVAILABLE / DEADLINE_EXCEEDED → 503. UNAUTHENTICATED and
     * PERMISSION_DENIED (the callee refusing this service's own credentials) and anything else → 500. A non-gRPC
     * failure is returned as is if it is a {@link ProblemException}, else wrapped as 500 INTERNAL.
     */
    public static ProblemException toProblem(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof ProblemException p) {
            return p;
        }
        Status status = t instanceof StatusRuntimeException sre ? sre.getStatus()
                : t instanceof StatusException se ? se.getStatus() : null;
        if (status == null) {
            return ErrorCode.INTERNAL.problem("unexpected failure: " + t);
        }
        String code = errorCode(t);
        String description = status.getDescription() == null ? status.getCode().name() : status.getDescription();
        String detail = description.startsWith(code + ": ") ? description.substring(code.length() + 2) : description;
        int http = switch (status.getCode()) {
            case UNAUTHENTICATED, PERMISSION_DENIED -> 500;
            default -> errorCodeOf(t).map(ErrorCode::http).orElseGet(() -> switch (status.getCode()) {
                case INVALID_ARGUMENT -> 400;
                case NOT_FOUND -> 404;
                case ALREADY_EXISTS, FAILED_PRECONDITION, ABORTED -> 409;
                case RESOURCE_EXHAUSTED -> 429;
                case UNAVAILABLE, DEADLINE_EXCEEDED -> 503;
                default -> 500;
            });
        };
        return ProblemException.relayed(http, code, detail);
    }

    private static Throwable unwrap(Throwable t) {
        Throwable current = t;
        for (int i = 0; i < 10 && current != null; i++) {
            if (current instanceof CompositeException ce && !ce.getCauses().isEmpty()) {
                current = ce.getCauses().get(0);
            } else if (current instanceof CompletionException && current.getCause() != null) {
                current = current.getCause();
            } else {
                return current;
            }
        }
        return current;
    }
}
