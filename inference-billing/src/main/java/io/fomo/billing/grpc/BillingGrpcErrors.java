package io.fomo.billing.grpc;

import io.fomo.shared.money.InvalidAmountException;
import io.fomo.shared.web.ProblemException;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;

/**
 * Maps {@link ProblemException} (HTTP status + stable code) to a gRPC status per the proto README: the code
 * travels in the {@code fomo-error-code} trailer and starts the description. To be folded into the shared
 * {@code io.fomo.shared.grpc.GrpcErrors} by the lead.
 *
 * <p>HTTP → gRPC: 400 INVALID_ARGUMENT, 401 UNAUTHENTICATED, 403 PERMISSION_DENIED, 404 NOT_FOUND,
 * 409 ALREADY_EXISTS for {@code IDEMPOTENCY_CONFLICT} else ABORTED, 402/429 RESOURCE_EXHAUSTED,
 * 412/422 FAILED_PRECONDITION, 503 UNAVAILABLE, anything else INTERNAL.
 */
public final class BillingGrpcErrors {

    public static final Metadata.Key<String> ERROR_CODE = Metadata.Key.of("fomo-error-code", Metadata.ASCII_STRING_MARSHALLER);

    private BillingGrpcErrors() {
    }

    public static Throwable toGrpc(Throwable t) {
        if (t instanceof StatusRuntimeException) {
            return t;
        }
        if (t instanceof ProblemException p) {
            return status(statusOf(p.status(), p.code()), p.code(), p.getMessage());
        }
        if (t instanceof InvalidAmountException e) {
            return status(Status.INVALID_ARGUMENT, "INVALID_AMOUNT", e.getMessage());
        }
        if (t instanceof UnauthorizedException || t instanceof io.quarkus.security.AuthenticationFailedException) {
            return status(Status.UNAUTHENTICATED, "UNAUTHENTICATED", "a bearer token is required");
        }
        if (t instanceof ForbiddenException) {
            return status(Status.PERMISSION_DENIED, "FORBIDDEN", "this caller may not call this method");
        }
        return status(Status.INTERNAL.withCause(t), "INTERNAL", "internal error: " + t);
    }

    static Status statusOf(int http, String code) {
        return switch (http) {
            case 400 -> Status.INVALID_ARGUMENT;
            case 401 -> Status.UNAUTHENTICATED;
            case 403 -> Status.PERMISSION_DENIED;
            case 404 -> Status.NOT_FOUND;
            case 409 -> "IDEMPOTENCY_CONFLICT".equals(code) ? Status.ALREADY_EXISTS : Status.ABORTED;
            case 402, 429 -> Status.RESOURCE_EXHAUSTED;
            case 412, 422 -> Status.FAILED_PRECONDITION;
            case 503 -> Status.UNAVAILABLE;
            default -> Status.INTERNAL;
        };
    }

    private static StatusRuntimeException status(Status status, String code, String detail) {
        Metadata trailers = new Metadata();
        trailers.put(ERROR_CODE, code);
        return status.withDescription(code + ": " + detail).asRuntimeException(trailers);
    }
}
