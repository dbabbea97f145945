package io.fomo.emission.ledger;

import java.math.BigInteger;
import java.util.List;

import io.fomo.emission.EmissionConfig;
import io.fomo.grpc.treasury.v1.Account;
import io.fomo.grpc.treasury.v1.AccountKind;
import io.fomo.grpc.treasury.v1.AccountRef;
import io.fomo.grpc.treasury.v1.BatchOperation;
import io.fomo.grpc.treasury.v1.GetAccountRequest;
import io.fomo.grpc.treasury.v1.MutinyLedgerGrpc;
import io.fomo.grpc.treasury.v1.SubmitBatchRequest;
import io.fomo.grpc.treasury.v1.SubmitBatchResult;
import io.fomo.shared.grpc.ServiceCalls;
import io.fomo.shared.grpc.ServiceTokens;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The treasury ledger (gRPC {@code fomo.treasury.v1.Ledger}) as the emission service uses it, with this service's own
 * client-credentials token (SPEC §8). Callers must not hold a database transaction open across these calls.
 */
@ApplicationScoped
public class LedgerGateway {

    /** Owner of the protocol-wide accounts (ledger.proto). */
    public static final String PROTOCOL = "protocol";
    /** Journal code of every emission transfer. */
    public static final String CODE = "EMISSION";

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

    /** One atomic, idempotent batch (same id and operations again: the first result, {@code replayed = true}). */
    public Uni<SubmitBatchResult> submit(String batchId, List<BatchOperation> operations) {
        return ledger().submitBatch(SubmitBatchRequest.newBuilder().setBatchId(batchId).addAllOperations(operations).build());
    }
}
