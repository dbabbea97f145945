package io.fomo.treasury.ledger;

import io.fomo.grpc.treasury.v1.Account;
import io.fomo.grpc.treasury.v1.CreatePendingRequest;
import io.fomo.grpc.treasury.v1.GetAccountRequest;
import io.fomo.grpc.treasury.v1.GetBalancesRequest;
import io.fomo.grpc.treasury.v1.GetBalancesResponse;
import io.fomo.grpc.treasury.v1.GetPendingRequest;
import io.fomo.grpc.treasury.v1.GetTokenRequest;
import io.fomo.grpc.treasury.v1.Ledger;
import io.fomo.grpc.treasury.v1.PendingTransfer;
import io.fomo.grpc.treasury.v1.PostPendingRequest;
import io.fomo.grpc.treasury.v1.RegisterModelTokenRequest;
import io.fomo.grpc.treasury.v1.SubmitBatchRequest;
import io.fomo.grpc.treasury.v1.SubmitBatchResult;
import io.fomo.grpc.treasury.v1.Token;
import io.fomo.grpc.treasury.v1.TransferRequest;
import io.fomo.grpc.treasury.v1.TransferResult;
import io.fomo.grpc.treasury.v1.VoidPendingRequest;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;

/**
 * The {@code fomo.treasury.v1.Ledger} gRPC service (contract: fomo-shared {@code fomo/treasury/v1/ledger.proto}).
 *
 * <p>Skeleton: registered on the gRPC server so that clients can be wired against it; every method
 * answers {@code UNIMPLEMENTED} until the ledger is built. Implementing the generated {@link Ledger}
 * interface (rather than extending an ImplBase) makes a contract change a compile error here.
 */
@GrpcService
public class LedgerGrpcService implements Ledger {

    private static <T> Uni<T> unimplemented(String method) {
        return Uni.createFrom().failure(Status.UNIMPLEMENTED
                .withDescription("fomo.treasury.v1.Ledger/" + method + " is not implemented yet")
                .asRuntimeException());
    }

    @Override
    public Uni<TransferResult> transfer(TransferRequest request) {
        return unimplemented("Transfer");
    }

    @Override
    public Uni<PendingTransfer> createPending(CreatePendingRequest request) {
        return unimplemented("CreatePending");
    }

    @Override
    public Uni<PendingTransfer> postPending(PostPendingRequest request) {
        return unimplemented("PostPending");
    }

    @Override
    public Uni<PendingTransfer> voidPending(VoidPendingRequest request) {
        return unimplemented("VoidPending");
    }

    @Override
    public Uni<SubmitBatchResult> submitBatch(SubmitBatchRequest request) {
        return unimplemented("SubmitBatch");
    }

    @Override
    public Uni<Token> registerModelToken(RegisterModelTokenRequest request) {
        return unimplemented("RegisterModelToken");
    }

    @Override
    public Uni<Token> getToken(GetTokenRequest request) {
        return unimplemented("GetToken");
    }

    @Override
    public Uni<GetBalancesResponse> getBalances(GetBalancesRequest request) {
        return unimplemented("GetBalances");
    }

    @Override
    public Uni<Account> getAccount(GetAccountRequest request) {
        return unimplemented("GetAccount");
    }

    @Override
    public Uni<PendingTransfer> getPending(GetPendingRequest request) {
        return unimplemented("GetPending");
    }
}
