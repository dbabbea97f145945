package io.fomo.shared.grpc;

import java.util.Set;
import java.util.concurrent.CompletionException;

import org.jboss.logging.Logger;

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
 * <table>
 * <caption>{@link ProblemException} → gRPC status</caption>
 * <tr><th>HTTP status</th><th>gRPC status</th></tr>
 * <tr><td>400</td><td>INVALID_ARGUMENT</td></tr>
 * <tr><td>401</td><td>UNAUTHENTICATED</td></tr>
 * <tr><td>403</td><td>PERMISSION_DENIED</td></tr>
 * <tr><td>404</td><td>NOT_FOUND</td></tr>
 * <tr><td>409</td><td>ALREADY_EXISTS for the codes {@code IDEMPOTENCY_CONFLICT}, {@code IDEMPOTENCY_KEY_REUSED} and
 * any code ending in {@code _EXISTS}; ABORTED for {@code CONFLICT} (transient; retry with the same key);
 * FAILED_PRECONDITION otherwise (the state forbids it)</td></tr>
 * <tr><td>412, 422</td><td>FAILED_PRECONDITION</td></tr>
 * <tr><td>402, 429</td><td>RESOURCE_EXHAUSTED</td></tr>
 * <tr><td>501</td><td>UNIMPLEMENTED</td></tr>
 * <tr><td>503</td><td>UNAVAILABLE</td></tr>
 * <tr><td>other</td><td>INTERNAL</td></tr>
 * </table>
 * {@link InvalidAmountException} (and any other {@link IllegalArgumentException}) is INVALID_ARGUMENT
 * ({@code INVALID_AMOUNT} / {@code INVALID_ARGUMENT}); an existing gRPC status passes through unchanged;
 * anything else is INTERNAL with code {@code INTERNAL}, logged with its stack trace, its message not echoed.
 */
public final class GrpcErrors {

    /** The trailer carrying the stable code. */
    public static final String TRAILER = "fomo-error-code";
    public static final Metadata.Key<String> ERROR_CODE = Metadata.Key.of(TRAILER, Metadata.ASCII_STRING_MARSHALLER);

    private static final Logger LOG = Logger.getLogger(GrpcErrors.class);
    private static final Set<String> ALREADY_EXISTS_CODES = Set.of("IDEMPOTENCY_CONFLICT", "IDEMPOTENCY_KEY_REUSED");
    private static final int MAX_DESCRIPTION = 1000;

    private GrpcErrors() {
    }

    /** A failed call: {@code status}, the code in the trailer, the description {@code "CODE: detail"}. */
    public static StatusRuntimeException status(Status.Code status, String code, String detail) {
        Metadata trailers = new Metadata();
        trailers.put(ERROR_CODE, code);
        String description = code + ": " + (detail == null ? "" : detail);
        if (description.length() > MAX_DESCRIPTION) {
            description = description.substring(0, MAX_DESCRIPTION) + "...";
        }
        return Status.fromCode(status).withDescription(description).asRuntimeException(trailers);
    }

    /** The gRPC status for a {@link ProblemException}'s HTTP status and code (see the class table). */
    public static Status.Code statusFor(int httpStatus, String code) {
        return switch (httpStatus) {
            case 400 -> Status.Code.INVALID_ARGUMENT;
            case 401 -> Status.Code.UNAUTHENTICATED;
            case 403 -> Status.Code.PERMISSION_DENIED;
            case 404 -> Status.Code.NOT_FOUND;
            case 409 -> code != null && (ALREADY_EXISTS_CODES.contains(code) || code.endsWith("_EXISTS"))
                    ? Status.Code.ALREADY_EXISTS
                    : "CONFLICT".equals(code) ? Status.Code.ABORTED : Status.Code.FAILED_PRECONDITION;
            case 412, 422 -> Status.Code.FAILED_PRECONDITION;
            case 402, 429 -> Status.Code.RESOURCE_EXHAUSTED;
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
            return status(statusFor(p.status(), p.code()), p.code(), p.getMessage());
        }
        if (t instanceof InvalidAmountException e) {
            return status(Status.Code.INVALID_ARGUMENT, InvalidAmountException.CODE, e.getMessage());
        }
        if (t instanceof IllegalArgumentException e) {
            return status(Status.Code.INVALID_ARGUMENT, "INVALID_ARGUMENT", e.getMessage());
        }
        if (t instanceof io.quarkus.security.UnauthorizedException || t instanceof io.quarkus.security.AuthenticationException) {
            return status(Status.Code.UNAUTHENTICATED, "UNAUTHENTICATED", "a valid bearer token is required");
        }
        if (t instanceof io.quarkus.security.ForbiddenException) {
            return status(Status.Code.PERMISSION_DENIED, "FORBIDDEN", "the caller's roles do not allow this");
        }
        ProblemException data = io.fomo.shared.web.DataErrors.refusalFor(t);
        if (data != null) {
            LOG.warnf("%s on a gRPC call: %s (a validation should have refused it first)", data.code(), t.getMessage());
            return status(statusFor(data.status(), data.code()), data.code(), data.getMessage());
        }
        LOG.error("unexpected failure of a gRPC call", t);
        return status(Status.Code.INTERNAL, "INTERNAL", "an unexpected error occurred; see the service's log");
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
     * A failed outgoing gRPC call as a {@link ProblemException} for a REST caller, keeping the code:
     * INVALID_ARGUMENT → 400, NOT_FOUND → 404, ALREADY_EXISTS / FAILED_PRECONDITION / ABORTED → 409,
     * RESOURCE_EXHAUSTED → 429, UNAVAILABLE / DEADLINE_EXCEEDED → 503, anything else (including the
     * callee refusing this service's own credentials) → 500. A non-gRPC failure is returned as is if it is a
     * {@link ProblemException}, else wrapped as 500.
     */
    public static ProblemException toProblem(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof ProblemException p) {
            return p;
        }
        Status status = t instanceof StatusRuntimeException sre ? sre.getStatus()
                : t instanceof StatusException se ? se.getStatus() : null;
        if (status == null) {
            return new ProblemException(500, "INTERNAL", "unexpected failure: " + t);
        }
        String code = errorCode(t);
        String description = status.getDescription() == null ? status.getCode().name() : status.getDescription();
        String detail = description.startsWith(code + ": ") ? description.substring(code.length() + 2) : description;
        int http = switch (status.getCode()) {
            case INVALID_ARGUMENT -> 400;
            case NOT_FOUND -> 404;
            case ALREADY_EXISTS, FAILED_PRECONDITION, ABORTED -> 409;
            case RESOURCE_EXHAUSTED -> 429;
            case UNAVAILABLE, DEADLINE_EXCEEDED -> 503;
            default -> 500;
        };
        return new ProblemException(http, code, detail);
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
