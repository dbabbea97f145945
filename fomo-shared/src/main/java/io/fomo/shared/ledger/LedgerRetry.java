package io.fomo.shared.ledger;

import java.time.Duration;
import java.util.function.Supplier;

import io.grpc.Status;
import io.smallrye.mutiny.Uni;

/**
 * The one retry policy of ledger calls: a transient {@code ABORTED} (a serialization conflict the ledger could not
 * resolve itself; nothing was written) or {@code UNAVAILABLE} (the treasury or its database is down) is retried with
 * the SAME request, so the same ids, which makes it safe: a ledger id applies at most once, and a call that did commit
 * before the connection broke answers its first result with {@code replayed = true}. Every other status passes through
 * as it is, including {@code DEADLINE_EXCEEDED} (the caller's time is up) and every refusal.
 */
record LedgerRetry(int attempts, Duration firstBackOff, Duration maxBackOff) {

    static final LedgerRetry DEFAULT = new LedgerRetry(6, Duration.ofMillis(50), Duration.ofSeconds(2));

    /** Whether {@code failure} is one a retry with the same ids may cure. */
    static boolean transientFailure(Throwable failure) {
        Status.Code code = Status.fromThrowable(failure).getCode();
        return code == Status.Code.ABORTED || code == Status.Code.UNAVAILABLE;
    }

    /** The call, made again (a fresh subscription: a fresh stub and deadline) while it fails transiently. */
    <T> Uni<T> apply(Supplier<Uni<T>> call) {
        Uni<T> once = Uni.createFrom().deferred(call::get);
        if (attempts <= 1) {
            return once;
        }
        return once.onFailure(LedgerRetry::transientFailure).retry().withBackOff(firstBackOff, maxBackOff)
                .atMost(attempts - 1);
    }

    /** The blocking form (a worker thread: the close). */
    <T> T applyBlocking(Supplier<T> call) {
        long backOff = firstBackOff.toMillis();
        for (int attempt = 1;; attempt++) {
            try {
                return call.get();
            } catch (RuntimeException e) {
                if (attempt >= attempts || !transientFailure(e)) {
                    throw e;
                }
                try {
                    Thread.sleep(backOff);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                backOff = Math.min(backOff * 2, maxBackOff.toMillis());
            }
        }
    }
}
