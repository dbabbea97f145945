package io.fomo.treasury.ledger;

import io.fomo.shared.web.ProblemException;

/**
 * The ledger's refusals, each a {@link ProblemException} with a stable code; {@code GrpcErrors} maps the HTTP
 * status to the gRPC status of the proto README (400 → INVALID_ARGUMENT, 404 → NOT_FOUND, 409 →
 * FAILED_PRECONDITION, or ALREADY_EXISTS for IDEMPOTENCY_CONFLICT and TOKEN_EXISTS).
 */
public final class LedgerErrors {

    private LedgerErrors() {
    }

    /** Malformed or out-of-range input, whatever the state: 400 / INVALID_ARGUMENT. */
    public static ProblemException invalid(String code, String detail) {
        return new ProblemException(400, code, detail);
    }

    /** A referenced thing does not exist: 404 / NOT_FOUND. */
    public static ProblemException notFound(String code, String detail) {
        return new ProblemException(404, code, detail);
    }

    /** The ledger's state forbids it: 409 / FAILED_PRECONDITION. */
    public static ProblemException failed(String code, String detail) {
        return new ProblemException(409, code, detail);
    }

    /** The id was used before for another content: 409 / ALREADY_EXISTS. */
    public static ProblemException idempotencyConflict(String detail) {
        return new ProblemException(409, "IDEMPOTENCY_CONFLICT", detail);
    }

    /** A transient concurrency conflict that survived the retries: 409 / ABORTED. */
    public static ProblemException aborted(String detail) {
        return new ProblemException(409, "CONFLICT", detail);
    }
}
