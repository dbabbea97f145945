package io.fomo.shared.ledger;

import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.fomo.grpc.treasury.v1.GetAccountRequest;
import io.fomo.grpc.treasury.v1.GetPendingRequest;
import io.fomo.grpc.treasury.v1.LedgerGrpc;
import io.fomo.grpc.treasury.v1.MutinyLedgerGrpc;
import io.fomo.shared.errors.ErrorCode;
import io.fomo.shared.grpc.GrpcErrors;
import io.fomo.shared.grpc.ServiceCalls;
import io.fomo.shared.grpc.ServiceTokens;
import io.fomo.shared.ledger.LedgerResults.AccountState;
import io.fomo.shared.ledger.LedgerResults.Batch;
import io.fomo.shared.ledger.LedgerResults.Pending;
import io.fomo.shared.ledger.LedgerResults.PendingPage;
import io.fomo.shared.ledger.LedgerResults.State;
import io.fomo.shared.ledger.LedgerResults.Transferred;
import io.fomo.shared.money.Token;
import io.grpc.Status;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The treasury's ledger ({@code fomo.treasury.v1.Ledger}, gRPC client {@code ledger}, configured by each service under
 * {@code quarkus.grpc.clients.ledger.*}) as every service calls it: typed values in and out (accounts, tokens, base
 * units, ids; never proto messages), and in one place:
 * <ul>
 *   <li>this service's own token on every call (SPEC §8, {@link ServiceTokens});</li>
 *   <li>one deadline: {@code fomo.ledger.deadline} (default PT30S) for a single call, {@code fomo.ledger.batch-deadline}
 *       (default PT120S) for {@link #submitBatch} (a close's batches hold up to 10,000 operations); each attempt gets a
 *       fresh deadline;</li>
 *   <li>one retry policy ({@link LedgerRetry}): ABORTED and UNAVAILABLE are retried with the same ids (safe: ledger ids
 *       are idempotent), up to {@code fomo.ledger.attempts} (default 6) attempts; everything else fails with the gRPC
 *       status it is ({@link GrpcErrors#errorCodeOf} reads its code, {@link GrpcErrors#toProblem} relays it to REST);</li>
 *   <li>the answer re-emitted on the caller's Vert.x context ({@link ServiceCalls#onCallerContext}), so a
 *       Hibernate Reactive session can go on after the call. Prefer no open transaction across a call: use
 *       {@link LedgerCall} (intent, call, result).</li>
 * </ul>
 * {@link #submitBatchBlocking} is for a worker thread (rmo's close).
 */
@ApplicationScoped
public class LedgerClient {

    /** The ledger names a refused operation of a batch in its detail: "operation 3 (id ...): ...". */
    private static final Pattern REFUSED_OPERATION = Pattern.compile("operation (\\d+)\\b");

    /** The largest page of {@link #pendingInto} (ledger.proto {@code ListPendingRequest.limit}). */
    public static final int MAX_PAGE = 1000;

    @GrpcClient("ledger")
    MutinyLedgerGrpc.MutinyLedgerStub mutiny;

    @GrpcClient("ledger")
    LedgerGrpc.LedgerBlockingStub blocking;

    @Inject
    ServiceTokens tokens;

    @ConfigProperty(name = "fomo.ledger.deadline", defaultValue = "PT30S")
    Duration deadline;

    @ConfigProperty(name = "fomo.ledger.batch-deadline", defaultValue = "PT120S")
    Duration batchDeadline;

    @ConfigProperty(name = "fomo.ledger.attempts", defaultValue = "6")
    int attempts;

    /** One transfer (idempotent by its id). */
    public Uni<Transferred> transfer(LedgerOp.Transfer transfer) {
        var request = LedgerProtos.transfer(transfer);
        return call(deadline, stub -> stub.transfer(request)).map(LedgerProtos::transferred);
    }

    /** One pending transfer (a hold), idempotent by its id. */
    public Uni<Pending> createPending(LedgerOp.CreatePending pending) {
        var request = LedgerProtos.createPending(pending);
        return call(deadline, stub -> stub.createPending(request)).map(LedgerProtos::pending);
    }

    /** Posts a pending transfer (all of it, or {@code units} with the rest released). */
    public Uni<Pending> postPending(LedgerOp.PostPending post) {
        var request = LedgerProtos.postPending(post);
        return call(deadline, stub -> stub.postPending(request)).map(LedgerProtos::pending);
    }

    /** Voids a pending transfer. */
    public Uni<Pending> voidPending(LedgerOp.VoidPending voided) {
        var request = LedgerProtos.voidPending(voided);
        return call(deadline, stub -> stub.voidPending(request)).map(LedgerProtos::pending);
    }

    /** A pending transfer as it is now. */
    public Uni<Pending> pending(String pendingId) {
        var request = GetPendingRequest.newBuilder().setPendingId(pendingId).build();
        return call(deadline, stub -> stub.getPending(request)).map(LedgerProtos::pending);
    }

    /**
     * One page of the pending transfers into {@code account} in {@code token} (its credit side), by pending id:
     * {@code state} null = every state, {@code pageToken} null = the first page (then the previous page's
     * {@link PendingPage#nextPageToken()}), {@code limit} 1..1000. E.g. an offering's escrow, so that a close settles
     * every hold the ledger has (issue #19). Read-only; the ledger allows it per account family (treasury README).
     */
    public Uni<PendingPage> pendingInto(LedgerAccount account, Token token, State state, String pageToken, int limit) {
        if (limit < 1 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("limit must be 1.." + MAX_PAGE + ", was " + limit);
        }
        var request = LedgerProtos.listPending(account, token, state, pageToken, limit);
        return call(deadline, stub -> stub.listPending(request)).map(LedgerProtos::page);
    }

    /**
     * One atomic batch (all operations or none), idempotent by {@code batchId}: the same id and operations again answer
     * the first result with {@code replayed = true}.
     */
    public Uni<Batch> submitBatch(String batchId, List<? extends LedgerOp> operations) {
        var request = LedgerProtos.batch(batchId, operations);
        return call(batchDeadline, stub -> stub.submitBatch(request)).map(LedgerProtos::batch);
    }

    /** {@link #submitBatch} on a worker thread (blocks; never on the event loop). */
    public Batch submitBatchBlocking(String batchId, List<? extends LedgerOp> operations) {
        var request = LedgerProtos.batch(batchId, operations);
        return LedgerProtos.batch(retry().applyBlocking(
                () -> ServiceCalls.authorized(blocking, tokens, batchDeadline).submitBatch(request)));
    }

    /** One account's state in {@code token} (an account that never moved reads as zeros). */
    public Uni<AccountState> account(LedgerAccount account, Token token) {
        var request = GetAccountRequest.newBuilder().setAccount(LedgerProtos.ref(account)).setToken(token.symbol()).build();
        return call(deadline, stub -> stub.getAccount(request)).map(a -> LedgerProtos.accountState(account, token, a));
    }

    /** The account's available balance (balance minus pending debits) in base units. */
    public Uni<BigInteger> available(LedgerAccount account, Token token) {
        return account(account, token).map(AccountState::available);
    }

    /** The index of the batch operation the ledger refused as invalid (INVALID_ARGUMENT naming it), if it says. */
    public static OptionalInt refusedOperation(Throwable failure) {
        if (Status.fromThrowable(failure).getCode() != Status.Code.INVALID_ARGUMENT) {
            return OptionalInt.empty();
        }
        String description = Status.fromThrowable(failure).getDescription();
        Matcher m = REFUSED_OPERATION.matcher(description == null ? "" : description);
        if (!m.find()) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(Integer.parseInt(m.group(1)));
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    /** The ledger's refusal code (e.g. {@link ErrorCode#INSUFFICIENT_BALANCE}), if the failure is one. */
    public static Optional<ErrorCode> refusal(Throwable failure) {
        return GrpcErrors.errorCodeOf(failure);
    }

    private <T> Uni<T> call(Duration callDeadline, Function<MutinyLedgerGrpc.MutinyLedgerStub, Uni<T>> call) {
        Supplier<Uni<T>> attempt = () -> call.apply(ServiceCalls.authorized(mutiny, tokens, callDeadline));
        return ServiceCalls.onCallerContext(() -> retry().apply(attempt));
    }

    private LedgerRetry retry() {
        return new LedgerRetry(attempts, LedgerRetry.DEFAULT.firstBackOff(), LedgerRetry.DEFAULT.maxBackOff());
    }
}
