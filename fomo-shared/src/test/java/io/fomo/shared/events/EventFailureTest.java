package io.fomo.shared.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;

import io.fomo.shared.deployments.DeploymentLiveProjection.InvalidDeploymentLive;
import io.fomo.shared.errors.ErrorCode;
import io.fomo.shared.events.EventFailure.Kind;
import io.fomo.shared.money.InvalidAmountException;
import io.grpc.Status;
import io.smallrye.mutiny.CompositeException;

/** Issue #19: the one classification of an effect's failure (parked, dead letter or retried then parked). */
class EventFailureTest {

    @Test
    void anAwaitedFactAnywhereInTheChainParksWithThatFact() {
        AwaitingFact waits = new AwaitingFact(AwaitingFact.deploymentLive("d-1"), "no DeploymentLive of d-1 yet");
        for (Throwable t : new Throwable[] {waits, new CompletionException(waits), new IllegalStateException("wrapped", waits),
                new IllegalArgumentException("even under a validation wrapper", waits),
                new CompositeException(new IllegalStateException("x"), waits)}) {
            EventFailure.Verdict v = EventFailure.classify(t);
            assertThat(v.kind()).as("%s", t).isEqualTo(Kind.AWAITING);
            assertThat(v.fact()).isEqualTo("deployment-live:d-1");
            assertThat(v.reason()).isEqualTo("no DeploymentLive of d-1 yet");
        }
    }

    @Test
    void whatCanNeverApplyIsPermanent() {
        for (Throwable t : new Throwable[] {
                new EventFailure.MalformedEvent("malformed event envelope", null),
                new Inbox.RefusedEvent("e-1", "user_id guest is not the producer"),
                new IllegalArgumentException("negative discount"),
                new InvalidDeploymentLive("DeploymentLive: deploymentId is required"),
                new InvalidAmountException("USDC", "abc", "not a decimal"),
                new NumberFormatException("x"),
                new IllegalStateException("price overflow", new ArithmeticException("BigInteger out of long range")),
                ErrorCode.INVALID_AMOUNT.problem("bad amount"),
                ErrorCode.NOT_FOUND.problem("no such thing"),
                Status.INVALID_ARGUMENT.withDescription("bad").asRuntimeException(),
                Status.OUT_OF_RANGE.asException(),
                new CompletionException(new IllegalArgumentException("wrapped validation")),
                new CompositeException(new IllegalStateException("retry"), new IllegalArgumentException("invalid"))}) {
            assertThat(EventFailure.classify(t).kind()).as("%s", t).isEqualTo(Kind.PERMANENT);
            assertThat(EventFailure.classify(t).fact()).isNull();
        }
    }

    @Test
    void outagesTimeoutsConflictsAndTheUnknownAreTransient() {
        for (Throwable t : new Throwable[] {
                new IllegalStateException("expected one row"),
                new RuntimeException("unknown"),
                new IOException("connection reset"),
                new TimeoutException(),
                new CompletionException(new java.net.ConnectException("refused")),
                Status.UNAVAILABLE.asRuntimeException(),
                Status.DEADLINE_EXCEEDED.asRuntimeException(),
                Status.FAILED_PRECONDITION.asRuntimeException(),
                ErrorCode.INSUFFICIENT_BALANCE.problem("409 says later"),
                new OutOfMemoryError("even this")}) {
            EventFailure.Verdict v = EventFailure.classify(t);
            assertThat(v.kind()).as("%s", t).isEqualTo(Kind.TRANSIENT);
            assertThat(v.fact()).isEqualTo(EventFailure.RETRY);
        }
    }

    @Test
    void theReasonNamesTheFailureAndItsRootAndIsBounded() {
        String reason = EventFailure.classify(new IllegalStateException("effect failed", new IOException("socket closed")))
                .reason();
        assertThat(reason).contains("IllegalStateException: effect failed").contains("IOException: socket closed");
        assertThat(EventFailure.classify(new RuntimeException("x".repeat(5000))).reason()).hasSizeLessThan(1100);
    }
}
