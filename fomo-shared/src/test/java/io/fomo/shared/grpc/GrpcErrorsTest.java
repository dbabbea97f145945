package io.fomo.shared.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.fomo.shared.money.Amount;
import io.fomo.shared.money.InvalidAmountException;
import io.fomo.shared.money.Token;
import io.fomo.shared.web.ProblemException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** The one mapping of refusals to gRPC statuses (proto README "Errors") and back. */
class GrpcErrorsTest {

    static StatusRuntimeException of(int status, String code) {
        return GrpcErrors.toStatusException(new ProblemException(status, code, "because"));
    }

    @Test
    void problemsMapToTheStatusOfTheReadmeWithTheCodeInTheTrailerAndTheDescription() {
        assertThat(of(400, "INVALID_ACCOUNT").getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(of(404, "PENDING_NOT_FOUND").getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(of(409, "INSUFFICIENT_BALANCE").getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(of(409, "IDEMPOTENCY_CONFLICT").getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
        assertThat(of(409, "TOKEN_EXISTS").getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
        assertThat(of(409, "CONFLICT").getStatus().getCode()).isEqualTo(Status.Code.ABORTED);
        assertThat(of(429, "INSUFFICIENT_CREDITS").getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(of(503, "UNAVAILABLE").getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        StatusRuntimeException e = of(409, "INSUFFICIENT_BALANCE");
        assertThat(e.getTrailers().get(GrpcErrors.ERROR_CODE)).isEqualTo("INSUFFICIENT_BALANCE");
        assertThat(e.getStatus().getDescription()).isEqualTo("INSUFFICIENT_BALANCE: because");
        assertThat(GrpcErrors.errorCode(e)).isEqualTo("INSUFFICIENT_BALANCE");
    }

    @Test
    void invalidAmountsAreInvalidArgumentAndUnexpectedFailuresInternalWithoutTheirMessage() {
        InvalidAmountException bad = new InvalidAmountException("USDC", "1e5", "exponent notation is not allowed");
        StatusRuntimeException e = GrpcErrors.toStatusException(bad);
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(GrpcErrors.errorCode(e)).isEqualTo("INVALID_AMOUNT");
        StatusRuntimeException internal = GrpcErrors.toStatusException(new IllegalStateException("secret detail"));
        assertThat(internal.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
        assertThat(internal.getStatus().getDescription()).doesNotContain("secret");
        StatusRuntimeException passthrough = Status.UNAVAILABLE.asRuntimeException();
        assertThat(GrpcErrors.toStatusException(passthrough)).isSameAs(passthrough);
        assertThat(Amount.parse(Token.USDC, "1").isZero()).isFalse();
    }

    @Test
    void aFailedCallBecomesAProblemForARestCallerKeepingItsCode() {
        ProblemException p = GrpcErrors.toProblem(of(409, "INSUFFICIENT_BALANCE"));
        assertThat(p.status()).isEqualTo(409);
        assertThat(p.code()).isEqualTo("INSUFFICIENT_BALANCE");
        assertThat(p.getMessage()).isEqualTo("because");
        assertThat(GrpcErrors.toProblem(of(400, "INVALID_AMOUNT")).status()).isEqualTo(400);
        assertThat(GrpcErrors.toProblem(Status.UNAVAILABLE.withDescription("down").asRuntimeException()).status())
                .isEqualTo(503);
        assertThat(GrpcErrors.toProblem(Status.PERMISSION_DENIED.asRuntimeException()).status()).isEqualTo(500);
    }
}
