package io.fomo.staking.ledger;

import java.math.BigInteger;
import java.time.Duration;

import io.fomo.grpc.treasury.v1.Account;
import io.fomo.grpc.treasury.v1.AccountKind;
import io.fomo.grpc.treasury.v1.AccountRef;
import io.fomo.grpc.treasury.v1.GetAccountRequest;
import io.fomo.grpc.treasury.v1.MutinyLedgerGrpc;
import io.fomo.grpc.treasury.v1.SubmitBatchRequest;
import io.fomo.grpc.treasury.v1.SubmitBatchResult;
import io.fomo.grpc.treasury.v1.TransferRequest;
import io.fomo.grpc.treasury.v1.TransferResult;
import io.fomo.shared.grpc.ServiceCalls;
import io.fomo.shared.grpc.ServiceTokens;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The treasury ledger ({@code ledger}), each call with this service's own token (SPEC §8). Results are handed back on the caller's Vert.x context, so the
 * caller can continue with a database transaction. A transient ABORTED from the ledger is retried with the same id.
 */
@ApplicationScoped
public class LedgerClient {

    public static final String PROTOCOL = "protocol";
    private static final Duration LEDGER_DEADLINE = Duration.ofSeconds(30);

    @GrpcClient("ledger")
    MutinyLedgerGrpc.MutinyLedgerStub ledger;

    @Inject
    ServiceTokens tokens;

    private MutinyLedgerGrpc.MutinyLedgerStub ledger() {
        return ServiceCalls.authorized(ledger, tokens, LEDGER_DEADLINE);
    }

    public Uni<TransferResult> transfer(TransferRequest request) {
        return onContext(() -> ledger().transfer(request));
    }

    public Uni<SubmitBatchResult> submitBatch(SubmitBatchRequest request) {
        return onContext(() -> ledger().submitBatch(request));
    }

    /** The account's available balance in base units. */
    public Uni<BigInteger> available(String owner, AccountKind kind, Token token) {
        return onContext(() -> ledger().getAccount(GetAccountRequest.newBuilder()
                .setAccount(ref(owner, kind)).setToken(token.symbol()).build()))
                .map((Account a) -> Amount.parse(token, a.getAvailable()).units());
    }

    public static AccountRef ref(String owner, AccountKind kind) {
        return AccountRef.newBuilder().setOwner(owner).setKind(kind).build();
    }

    public static TransferRequest transfer(String id, AccountRef debit, AccountRef credit, Token token, BigInteger units,
            String code, String reference) {
        return TransferRequest.newBuilder().setId(id).setDebit(debit).setCredit(credit).setToken(token.symbol())
                .setAmount(Amount.ofUnits(token, units).toDecimalString()).setCode(code).setReference(reference).build();
    }

    /** On the caller's context; a transient ABORTED from the ledger is retried with the same id. */
    private static <T> Uni<T> onContext(java.util.function.Supplier<Uni<T>> call) {
        return ServiceCalls.onCallerContext(() -> ServiceCalls.retryAborted(call.get()));
    }
}
