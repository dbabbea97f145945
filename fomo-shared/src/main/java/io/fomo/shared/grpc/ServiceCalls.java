package io.fomo.shared.grpc;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractStub;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * How a service calls another one over gRPC from reactive code (one place for what the ledger, catalog, epoch-usage
 * and reconciliation clients all need): the caller's service token and a deadline on every call, the answer handed
 * back on the caller's Vert.x context (so a Hibernate Reactive session or transaction can go on after the call), and
 * which failures a retry with the same id may cure.
 */
public final class ServiceCalls {

    private ServiceCalls() {
    }

    /** {@code stub} with this service's token (SPEC §8) and a deadline of {@code deadline} from now. */
    public static <S extends AbstractStub<S>> S authorized(S stub, ServiceTokens tokens, Duration deadline) {
        return stub.withCallCredentials(tokens.callCredentials())
                .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Makes the call when subscribed, and emits its outcome on the subscriber's Vert.x context (if it has one). */
    public static <T> Uni<T> onCallerContext(Supplier<Uni<T>> call) {
        return Uni.createFrom().deferred(() -> {
            Context ctx = Vertx.currentContext();
            Uni<T> uni = call.get();
            return ctx == null ? uni : uni.emitOn(command -> ctx.runOnContext(x -> command.run()));
        });
    }

    /** The same for a server stream. */
    public static <T> Multi<T> streamOnCallerContext(Supplier<Multi<T>> call) {
        return Multi.createFrom().deferred(() -> {
            Context ctx = Vertx.currentContext();
            Multi<T> stream = call.get();
            return ctx == null ? stream : stream.emitOn(command -> ctx.runOnContext(x -> command.run()));
        });
    }

    /**
     * Retries {@code ABORTED} (the ledger's answer to a serialization conflict: nothing was written) up to 5 times with
     * back-off; the call must carry an idempotency id, so a retry can never apply twice.
     */
    public static <T> Uni<T> retryAborted(Uni<T> call) {
        return call.onFailure(t -> t instanceof StatusRuntimeException sre && sre.getStatus().getCode() == Status.Code.ABORTED)
                .retry().withBackOff(Duration.ofMillis(50), Duration.ofSeconds(1)).atMost(5);
    }

    /** True for a refusal that a retry with the same id cannot change (bad input, insufficient balance, not found). */
    public static boolean definitive(Throwable t) {
        if (t instanceof StatusRuntimeException sre) {
            Status.Code c = sre.getStatus().getCode();
            return c == Status.Code.INVALID_ARGUMENT || c == Status.Code.FAILED_PRECONDITION
                    || c == Status.Code.ALREADY_EXISTS || c == Status.Code.NOT_FOUND;
        }
        return false;
    }
}
