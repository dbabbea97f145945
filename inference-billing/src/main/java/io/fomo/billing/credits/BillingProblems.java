package io.fomo.billing.credits;

import io.fomo.shared.web.ProblemException;

/** The billing refusals with their HTTP status (mapped to gRPC by {@code io.fomo.shared.grpc.GrpcErrors}). */
public final class BillingProblems {

    private BillingProblems() {
    }

    public static ProblemException invalid(String code, String detail) {
        return new ProblemException(400, code, detail);
    }

    /** Authorize cannot hold the worst case: gRPC RESOURCE_EXHAUSTED. */
    public static ProblemException cannotHold(String detail) {
        return new ProblemException(402, "INSUFFICIENT_CREDITS", detail);
    }

    /** The state forbids it now: gRPC FAILED_PRECONDITION. */
    public static ProblemException precondition(String code, String detail) {
        return new ProblemException(422, code, detail);
    }

    public static ProblemException notFound(String code, String detail) {
        return new ProblemException(404, code, detail);
    }

    public static ProblemException idempotencyConflict(String detail) {
        return new ProblemException(409, "IDEMPOTENCY_CONFLICT", detail);
    }
}
