package io.fomo.emission.epochs;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.fomo.emission.EmissionConfig;
import io.fomo.grpc.treasury.v1.Account;
import io.fomo.grpc.treasury.v1.AccountKind;
import io.fomo.grpc.treasury.v1.AccountRef;
import io.fomo.grpc.treasury.v1.BatchOperation;
import io.fomo.grpc.treasury.v1.GetAccountRequest;
import io.fomo.grpc.treasury.v1.MutinyLedgerGrpc;
import io.fomo.grpc.treasury.v1.SubmitBatchRequest;
import io.fomo.grpc.treasury.v1.TransferRequest;
import io.fomo.shared.errors.ErrorCode;
import io.fomo.shared.grpc.GrpcErrors;
import io.fomo.shared.grpc.ServiceCalls;
import io.fomo.shared.grpc.ServiceTokens;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.grpc.Status;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The treasury ledger (gRPC {@code fomo.treasury.v1.Ledger}) as the emission service uses it, with this service's own
 * client-credentials token (SPEC §8) and the deadline {@code fomo.emission.ledger-timeout}. The one class of the service
 * that speaks proto: it takes {@link EmissionPlan.Transfer}s and answers {@link BatchResult}s or a {@link Refusal}.
 * Callers must not hold a database transaction open across these calls.
 */
@ApplicationScoped
public class EmissionLedgerClient {

    /** Owner of the protocol-wide accounts (ledger.proto). */
    public static final String PROTOCOL = "protocol";
    /** Journal code of every emission transfer. */
    public static final String CODE = "EMISSION";
    /** The ledger names the refused operation of a batch: "operation 3 (id ...): ...". */
    private static final Pattern REFUSED_OPERATION = Pattern.compile("operation (\\d+)\\b");

    /** The ledger's answer to a committed (or replayed) batch. */
    public record BatchResult(Instant committedAt, boolean replayed) {
    }

    /**
     * The ledger refused the whole batch (it wrote nothing) for a reason the emission handles: one operation's own data
     * ({@link #operation()}, its index in the batch) or the reserve no longer covering it ({@link #insufficientBalance()}).
     */
    public static final class Refusal extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final Integer operation;
        private final boolean insufficientBalance;

        Refusal(Throwable cause, Integer operation, boolean insufficientBalance) {
            super(cause.getMessage(), cause);
            this.operation = operation;
            this.insufficientBalance = insufficientBalance;
        }

        public Integer operation() {
            return operation;
        }

        public boolean insufficientBalance() {
            return insufficientBalance;
        }
    }

    @GrpcClient("ledger")
    MutinyLedgerGrpc.MutinyLedgerStub stub;

    @Inject
    ServiceTokens serviceTokens;

    @Inject
    EmissionConfig config;

    private MutinyLedgerGrpc.MutinyLedgerStub ledger() {
        return ServiceCalls.authorized(stub, serviceTokens, config.ledgerTimeout());
    }

    /** The available FLOCK of {@code (protocol, FLOCK, EMISSION_RESERVE)}, base units. */
    public Uni<BigInteger> reserve() {
        return account(PROTOCOL, AccountKind.ACCOUNT_KIND_EMISSION_RESERVE, Token.FLOCK.symbol())
                .map(a -> Amount.parse(Token.FLOCK, a.getAvailable()).units());
    }

    /** One account's state (an account that never moved reads as zeros). */
    public Uni<Account> account(String owner, AccountKind kind, String token) {
        return ledger().getAccount(GetAccountRequest.newBuilder()
                .setAccount(AccountRef.newBuilder().setOwner(owner).setKind(kind)).setToken(token).build());
    }

    /**
     * One atomic, idempotent batch of FLOCK transfers from the emission reserve (same id and transfers again: the
     * first result, {@code replayed = true}). Fails with a {@link Refusal} when the ledger refuses one transfer's data
     * or the reserve's balance; with the call's own failure otherwise.
     */
    public Uni<BatchResult> submit(String batchId, List<EmissionPlan.Transfer> transfers) {
        AccountRef reserve = AccountRef.newBuilder().setOwner(PROTOCOL).setKind(AccountKind.ACCOUNT_KIND_EMISSION_RESERVE).build();
        SubmitBatchRequest.Builder request = SubmitBatchRequest.newBuilder().setBatchId(batchId);
        for (EmissionPlan.Transfer t : transfers) {
            AccountRef credit = AccountRef.newBuilder().setOwner(t.creditOwner())
                    .setKind(t.toStakers() ? AccountKind.ACCOUNT_KIND_STAKER_REWARDS : AccountKind.ACCOUNT_KIND_USER).build();
            request.addOperations(BatchOperation.newBuilder().setTransfer(TransferRequest.newBuilder().setId(t.id())
                    .setDebit(reserve).setCredit(credit).setToken(Token.FLOCK.symbol())
                    .setAmount(Amount.ofUnits(Token.FLOCK, t.units()).toDecimalString()).setCode(CODE)
                    .setReference(t.reference())));
        }
        return ledger().submitBatch(request.build())
                .map(r -> new BatchResult(Instant.ofEpochSecond(r.getCommittedAt().getSeconds(), r.getCommittedAt().getNanos()),
                        r.getReplayed()))
                .onFailure().transform(EmissionLedgerClient::refusal);
    }

    /** A refusal the emission handles, or the failure as it came. */
    static Throwable refusal(Throwable t) {
        Integer operation = refusedOperation(t);
        if (operation != null) {
            return new Refusal(t, operation, false);
        }
        if (ErrorCode.INSUFFICIENT_BALANCE.name().equals(GrpcErrors.errorCode(t))) {
            return new Refusal(t, null, true);
        }
        return t;
    }

    /** The index of the operation the ledger refused as invalid (INVALID_ARGUMENT naming it), or null. */
    static Integer refusedOperation(Throwable t) {
        if (Status.fromThrowable(t).getCode() != Status.Code.INVALID_ARGUMENT || t.getMessage() == null) {
            return null;
        }
        Matcher m = REFUSED_OPERATION.matcher(t.getMessage());
        if (!m.find()) {
            return null;
        }
        try {
            return Integer.parseInt(m.group(1));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
