package io.fomo.shared.errors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.fomo.shared.grpc.GrpcErrors;
import io.fomo.shared.web.ProblemException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** The one error vocabulary: one HTTP and one gRPC status per code, the same on both paths, and round trips. */
class ErrorCodeTest {

    /** The HTTP statuses a gRPC status may come with (fomo-shared proto/README.md, "Errors"). */
    private static final Map<Status.Code, Set<Integer>> KINDS = Map.ofEntries(
            Map.entry(Status.Code.INVALID_ARGUMENT, Set.of(400, 415)),
            Map.entry(Status.Code.UNAUTHENTICATED, Set.of(401)),
            Map.entry(Status.Code.PERMISSION_DENIED, Set.of(403)),
            Map.entry(Status.Code.NOT_FOUND, Set.of(404)),
            Map.entry(Status.Code.UNIMPLEMENTED, Set.of(405)),
            Map.entry(Status.Code.FAILED_PRECONDITION, Set.of(409)),
            Map.entry(Status.Code.ALREADY_EXISTS, Set.of(409)),
            Map.entry(Status.Code.ABORTED, Set.of(409)),
            Map.entry(Status.Code.RESOURCE_EXHAUSTED, Set.of(402, 413)),
            Map.entry(Status.Code.INTERNAL, Set.of(500)),
            Map.entry(Status.Code.UNAVAILABLE, Set.of(503)));

    @Test
    void everyCodeHasOneHttpAndOneGrpcStatusOfAKindTheReadmeNames() {
        for (ErrorCode c : ErrorCode.values()) {
            assertThat(c.code()).as("wire form").matches("[A-Z][A-Z0-9_]*").isEqualTo(c.name());
            assertThat(KINDS).as(c + " gRPC status").containsKey(c.grpc());
            assertThat(KINDS.get(c.grpc())).as(c + " HTTP status " + c.http() + " for " + c.grpc()).contains(c.http());
            assertThat(ErrorCode.find(c.code())).contains(c);
            assertThat(ErrorCode.of(c.code())).isSameAs(c);
        }
        assertThat(ErrorCode.find("NO_SUCH_CODE")).isEmpty();
        assertThat(ErrorCode.find(null)).isEmpty();
        assertThatThrownBy(() -> ErrorCode.of("NO_SUCH_CODE")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aProblemOfTheVocabularyHasItsCodesStatusesOnRestAndGrpc() {
        for (ErrorCode c : ErrorCode.values()) {
            ProblemException p = c.problem("because " + c);
            assertThat(p.status()).isEqualTo(c.http());
            assertThat(p.code()).isEqualTo(c.code());
            assertThat(p.errorCode()).contains(c);
            StatusRuntimeException viaGrpc = GrpcErrors.toStatusException(p);
            assertThat(viaGrpc.getStatus().getCode()).as(c.code()).isEqualTo(c.grpc());
            assertThat(viaGrpc.getTrailers().get(GrpcErrors.ERROR_CODE)).isEqualTo(c.code());
            assertThat(viaGrpc.getStatus().getDescription()).isEqualTo(c.code() + ": because " + c);
            StatusRuntimeException direct = c.status("because " + c);
            assertThat(direct.getStatus().getCode()).isEqualTo(c.grpc());
            assertThat(GrpcErrors.errorCode(direct)).isEqualTo(c.code());
            assertThat(GrpcErrors.errorCodeOf(direct)).contains(c);
        }
    }

    @Test
    void restToGrpcToRestRoundTripsEveryCodeExceptTheCalleeRefusingThisServicesCredentials() {
        Set<ErrorCode> auth = EnumSet.noneOf(ErrorCode.class);
        for (ErrorCode c : ErrorCode.values()) {
            ProblemException back = GrpcErrors.toProblem(GrpcErrors.toStatusException(c.problem("detail")));
            assertThat(back.code()).isEqualTo(c.code());
            assertThat(back.getMessage()).isEqualTo("detail");
            if (c.grpc() == Status.Code.UNAUTHENTICATED || c.grpc() == Status.Code.PERMISSION_DENIED) {
                // a callee refusing this service's own token is this service's fault, not the REST caller's
                assertThat(back.status()).as(c.code()).isEqualTo(500);
                auth.add(c);
            } else {
                assertThat(back.status()).as(c.code()).isEqualTo(c.http());
                assertThat(back.errorCode()).contains(c);
                // and gRPC → REST → gRPC gives the same status again
                assertThat(GrpcErrors.toStatusException(back).getStatus().getCode()).isEqualTo(c.grpc());
            }
        }
        assertThat(auth).containsExactlyInAnyOrder(ErrorCode.UNAUTHENTICATED, ErrorCode.INVALID_SIGNATURE,
                ErrorCode.FORBIDDEN, ErrorCode.OPERATION_NOT_ALLOWED);
    }

    @Test
    @SuppressWarnings("deprecation")
    void theOldConstructorGivesACodeOfTheVocabularyItsOneStatusAndKeepsOthersAsGiven() {
        // billing said 422 for these; treasury, rmo, staking and emission say 409 for "the state forbids it"
        assertThat(new ProblemException(422, "HOLD_EXPIRED", "x").status()).isEqualTo(409);
        assertThat(new ProblemException(422, "HOLD_EXPIRED", "x").errorCode()).contains(ErrorCode.HOLD_EXPIRED);
        assertThat(new ProblemException(422, "INSUFFICIENT_CREDITS", "x").status()).isEqualTo(402);
        assertThat(GrpcErrors.toStatusException(new ProblemException(422, "INSUFFICIENT_CREDITS", "x"))
                .getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(new ProblemException(400, "INVALID_NEW_FIELD", "x").status()).isEqualTo(400);
        assertThat(new ProblemException(400, "INVALID_NEW_FIELD", "x").errorCode()).isEmpty();
        assertThat(GrpcErrors.toStatusException(new ProblemException(409, "SOMETHING_ELSE", "x")).getStatus().getCode())
                .isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(GrpcErrors.statusFor(409, "TOKEN_EXISTS")).isEqualTo(Status.Code.ALREADY_EXISTS);
    }

    @Test
    void aGrpcStatusThatIsNotTheCodesOwnIsTranslatedByTheStatusNotByTheCode() {
        // a real gRPC deadline (no trailer) is 503, not the swap's DEADLINE_EXCEEDED 409
        ProblemException deadline = GrpcErrors.toProblem(Status.DEADLINE_EXCEEDED.asRuntimeException());
        assertThat(deadline.code()).isEqualTo("DEADLINE_EXCEEDED");
        assertThat(deadline.status()).isEqualTo(503);
        assertThat(deadline.errorCode()).isEmpty();
        assertThat(GrpcErrors.errorCodeOf(Status.DEADLINE_EXCEEDED.asRuntimeException())).isEmpty();
        assertThat(GrpcErrors.toProblem(Status.UNAVAILABLE.asRuntimeException()).status()).isEqualTo(503);
        assertThat(GrpcErrors.toProblem(new IllegalStateException("boom")).code()).isEqualTo("INTERNAL");
    }
}
