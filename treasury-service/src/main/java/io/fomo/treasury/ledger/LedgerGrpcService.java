package io.fomo.treasury.ledger;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.fomo.grpc.treasury.v1.Account;
import io.fomo.grpc.treasury.v1.BatchOperationResult;
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
import io.fomo.shared.grpc.GrpcErrors;
import io.fomo.treasury.ledger.LedgerStore.Applied;
import io.fomo.treasury.ledger.LedgerStore.TokenSupply;
import io.fomo.treasury.ledger.OperationResult.PendingDone;
import io.fomo.treasury.ledger.OperationResult.TokenDone;
import io.fomo.treasury.ledger.OperationResult.TransferDone;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;

/**
 * The {@code fomo.treasury.v1.Ledger} gRPC service (contract: fomo-shared {@code fomo/treasury/v1/ledger.proto}),
 * for the other services only: every method needs a service token (realm role {@code service}, SPEC §8); a
 * person's token is PERMISSION_DENIED, no token UNAUTHENTICATED. Failures are mapped by {@link GrpcErrors}
 * (status + {@code fomo-error-code} trailer); a failed call writes nothing.
 */
@GrpcService
@RolesAllowed("service")
public class LedgerGrpcService implements Ledger {

    @Inject
    LedgerService ledger;

    @Override
    public Uni<TransferResult> transfer(TransferRequest request) {
        return ledger.single(Set.of(request.getToken()), m -> m.transfer(request))
                .flatMap(this::withTokens)
                .map(applied -> {
                    TransferDone done = (TransferDone) applied.results().get(0);
                    return mapping().transfer(done.entry(), done.replayed());
                })
                .onFailure().transform(GrpcErrors::toStatusException);
    }

    @Override
    public Uni<PendingTransfer> createPending(CreatePendingRequest request) {
        return ledger.single(Set.of(request.getToken()), m -> m.createPending(request))
                .flatMap(this::withTokens)
                .map(this::firstPending)
                .onFailure().transform(GrpcErrors::toStatusException);
    }

    @Override
    public Uni<PendingTransfer> postPending(PostPendingRequest request) {
        return ledger.single(Set.of(), m -> m.postPending(request))
                .flatMap(this::withTokens)
                .map(this::firstPending)
                .onFailure().transform(GrpcErrors::toStatusException);
    }

    @Override
    public Uni<PendingTransfer> voidPending(VoidPendingRequest request) {
        return ledger.single(Set.of(), m -> m.voidPending(request))
                .flatMap(this::withTokens)
                .map(this::firstPending)
                .onFailure().transform(GrpcErrors::toStatusException);
    }

    @Override
    public Uni<SubmitBatchResult> submitBatch(SubmitBatchRequest request) {
        return ledger.batch(request.getBatchId(), OperationMapper.symbolsOf(request.getOperationsList()),
                        m -> m.batch(request.getOperationsList(), ledger.maxBatchOperations()))
                .flatMap(this::withTokens)
                .flatMap(applied -> supplies(applied)
                        .map(supplies -> batchResult(request.getBatchId(), applied, supplies, mapping())))
                .onFailure().transform(GrpcErrors::toStatusException);
    }

    @Override
    public Uni<Token> registerModelToken(RegisterModelTokenRequest request) {
        return ledger.single(Set.of(request.getSymbol()), m -> m.registerModelToken(request))
                .flatMap(applied -> supplies(applied).map(supplies -> {
                    TokenDone done = (TokenDone) applied.results().get(0);
                    return ProtoMapping.token(supplies.get(0), done.replayed());
                }))
                .onFailure().transform(GrpcErrors::toStatusException);
    }

    @Override
    public Uni<Token> getToken(GetTokenRequest request) {
        return ledger.supplies(Set.of(request.getSymbol()))
                .map(list -> {
                    if (list.isEmpty()) {
                        throw LedgerErrors.notFound("TOKEN_NOT_FOUND", "no token " + request.getSymbol());
                    }
                    return ProtoMapping.token(list.get(0), false);
                })
                .onFailure().transform(GrpcErrors::toStatusException);
    }

    @Override
    public Uni<GetBalancesResponse> getBalances(GetBalancesRequest request) {
        return Uni.createFrom().item(request)
                .invoke(r -> OperationMapper.owner(r.getOwner(), "owner"))
                .flatMap(r -> ledger.store().accounts(r.getOwner(), r.getToken().isEmpty() ? null : r.getToken()))
                .flatMap(accounts -> {
                    Set<String> symbols = new HashSet<>();
                    accounts.forEach(a -> symbols.add(a.key().token()));
                    return ledger.tokens(symbols).map(x -> accounts);
                })
                .map(accounts -> {
                    ProtoMapping mapping = mapping();
                    GetBalancesResponse.Builder b = GetBalancesResponse.newBuilder().setOwner(request.getOwner());
                    Balances.of(accounts).forEach(balance -> b.addBalances(mapping.balance(balance)));
                    accounts.forEach(a -> b.addAccounts(mapping.account(a)));
                    return b.build();
                })
                .onFailure().transform(GrpcErrors::toStatusException);
    }

    @Override
    public Uni<Account> getAccount(GetAccountRequest request) {
        return ledger.tokens(Set.of(request.getToken()))
                .flatMap(known -> {
                    LedgerToken token = new OperationMapper(known).token(request.getToken());
                    AccountKey key = OperationMapper.account(request.getAccount(), token, "account");
                    return ledger.store().account(key)
                            .map(state -> mapping().account(state != null ? state : AccountState.empty(0, key)));
                })
                .onFailure().transform(GrpcErrors::toStatusException);
    }

    @Override
    public Uni<PendingTransfer> getPending(GetPendingRequest request) {
        return ledger.store().pending(request.getPendingId())
                .flatMap(p -> {
                    if (p == null) {
                        throw LedgerErrors.notFound("PENDING_NOT_FOUND", "no pending transfer " + request.getPendingId());
                    }
                    return ledger.tokens(Set.of(p.token())).map(x -> mapping().pending(p, p.pendingId(), false));
                })
                .onFailure().transform(GrpcErrors::toStatusException);
    }

    /** The answer to a SubmitBatch: each operation's result, in the request's order. */
    static SubmitBatchResult batchResult(String batchId, Applied applied, List<TokenSupply> supplies,
            ProtoMapping mapping) {
        SubmitBatchResult.Builder b = SubmitBatchResult.newBuilder()
                .setBatchId(batchId)
                .setCommittedAt(ProtoMapping.timestamp(applied.committedAt()))
                .setReplayed(applied.replayed());
        for (OperationResult result : applied.results()) {
            BatchOperationResult.Builder r = BatchOperationResult.newBuilder();
            if (result instanceof TransferDone t) {
                r.setTransfer(mapping.transfer(t.entry(), t.replayed()));
            } else if (result instanceof PendingDone p) {
                r.setPending(mapping.pending(p.pending(), p.operationId(), p.replayed()));
            } else if (result instanceof TokenDone t) {
                r.setToken(ProtoMapping.token(supplies.stream()
                        .filter(s -> s.token().symbol().equals(t.token().symbol())).findFirst()
                        .orElse(new TokenSupply(t.token(), java.math.BigInteger.ZERO,
                                java.math.BigInteger.ZERO)), t.replayed()));
            }
            b.addResults(r);
        }
        return b.build();
    }

    private ProtoMapping mapping() {
        return new ProtoMapping(ledger::cachedToken);
    }

    private PendingTransfer firstPending(Applied applied) {
        PendingDone done = (PendingDone) applied.results().get(0);
        return mapping().pending(done.pending(), done.operationId(), done.replayed());
    }

    /** Makes sure every token a result mentions is resolved (a pending transfer may be in a token not seen yet). */
    private Uni<Applied> withTokens(Applied applied) {
        Set<String> symbols = new HashSet<>();
        for (OperationResult result : applied.results()) {
            if (result instanceof TransferDone t) {
                symbols.add(t.entry().token());
            } else if (result instanceof PendingDone p) {
                symbols.add(p.pending().token());
            }
        }
        return ledger.tokens(symbols).map(x -> applied);
    }

    private Uni<List<TokenSupply>> supplies(Applied applied) {
        Set<String> symbols = new HashSet<>();
        for (OperationResult result : applied.results()) {
            if (result instanceof TokenDone t) {
                symbols.add(t.token().symbol());
            }
        }
        return symbols.isEmpty() ? Uni.createFrom().item(List.of()) : ledger.supplies(symbols);
    }
}
