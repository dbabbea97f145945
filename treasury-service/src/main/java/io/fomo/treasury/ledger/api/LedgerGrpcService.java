package io.fomo.treasury.ledger.api;

import io.fomo.treasury.ledger.Balances;
import io.fomo.treasury.ledger.LedgerPermissions;
import io.fomo.treasury.ledger.LedgerService;
import io.fomo.treasury.ledger.model.AccountKey;
import io.fomo.treasury.ledger.model.AccountKind;
import io.fomo.treasury.ledger.model.AccountState;
import io.fomo.treasury.ledger.model.LedgerRules;
import io.fomo.treasury.ledger.model.LedgerToken;
import io.fomo.treasury.ledger.model.OperationResult;
import io.fomo.treasury.ledger.model.PendingState;

import io.fomo.shared.errors.ErrorCode;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import io.fomo.grpc.treasury.v1.AccountRef;
import io.fomo.grpc.treasury.v1.BatchOperation;

import io.fomo.grpc.treasury.v1.Account;
import io.fomo.grpc.treasury.v1.BatchOperationResult;
import io.fomo.grpc.treasury.v1.CreatePendingRequest;
import io.fomo.grpc.treasury.v1.GetAccountRequest;
import io.fomo.grpc.treasury.v1.GetBalancesRequest;
import io.fomo.grpc.treasury.v1.GetBalancesResponse;
import io.fomo.grpc.treasury.v1.GetPendingRequest;
import io.fomo.grpc.treasury.v1.GetTokenRequest;
import io.fomo.grpc.treasury.v1.Ledger;
import io.fomo.grpc.treasury.v1.ListPendingRequest;
import io.fomo.grpc.treasury.v1.ListPendingResponse;
import io.fomo.grpc.treasury.v1.PendingTransfer;
import io.fomo.grpc.treasury.v1.PostPendingRequest;
import io.fomo.grpc.treasury.v1.RegisterModelTokenRequest;
import io.fomo.grpc.treasury.v1.SubmitBatchRequest;
import io.fomo.grpc.treasury.v1.SubmitBatchResult;
import io.fomo.grpc.treasury.v1.Token;
import io.fomo.grpc.treasury.v1.TransferRequest;
import io.fomo.grpc.treasury.v1.TransferResult;
import io.fomo.grpc.treasury.v1.VoidPendingRequest;
import io.fomo.shared.grpc.CallerCheck;
import io.fomo.shared.grpc.GrpcErrors;
import io.fomo.treasury.TreasuryConfig;
import io.fomo.treasury.ledger.LedgerPermissions.Op;
import io.fomo.treasury.ledger.LedgerPermissions.Request;
import io.fomo.treasury.ledger.store.LedgerStore.Applied;
import io.fomo.treasury.ledger.store.LedgerReadStore.TokenSupply;
import io.fomo.treasury.ledger.model.OperationResult.PendingDone;
import io.fomo.treasury.ledger.model.OperationResult.TokenDone;
import io.fomo.treasury.ledger.model.OperationResult.TransferDone;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;

/**
 * The {@code fomo.treasury.v1.Ledger} gRPC service (contract: fomo-shared {@code fomo/treasury/v1/ledger.proto}),
 * for the other services only: every method needs a service token (realm role {@code service}, SPEC §8); a
 * person's token is PERMISSION_DENIED, no token UNAUTHENTICATED. Beyond the role, each call (each operation of a
 * batch) must be allowed to its client by {@link LedgerPermissions} (README "Who may call the Ledger"), before
 * anything is read or written; otherwise PERMISSION_DENIED {@code OPERATION_NOT_ALLOWED}. Failures are mapped by
 * {@link GrpcErrors} (status + {@code fomo-error-code} trailer); a failed call writes nothing.
 */
@GrpcService
@RolesAllowed("service")
public class LedgerGrpcService implements Ledger {

    @Inject
    LedgerService ledger;

    @Inject
    CurrentIdentityAssociation identity;

    @Inject
    TreasuryConfig config;

    LedgerPermissions permissions;

    @PostConstruct
    void permissions() {
        permissions = LedgerPermissions.configured(config.ledger().allow(),
                config.ledger().unrestrictedClients().orElse(List.of()));
    }

    /** Runs {@code work} once the caller's client may make every one of {@code requests}. */
    private <T> Uni<T> allowed(Supplier<List<Request>> requests, Supplier<Uni<T>> work) {
        return identity.getDeferredIdentity().flatMap(id -> {
            String client = CallerCheck.clientOf(id);
            for (Request r : requests.get()) {
                permissions.require(client, r);
            }
            return work.get();
        }).onFailure().transform(GrpcErrors::toStatusException);
    }

    private static Request move(Op op, AccountRef debit, AccountRef credit) {
        return Request.move(op, kind(debit), debit.getOwner(), kind(credit), credit.getOwner());
    }

    private static AccountKind kind(AccountRef ref) {
        var k = ref.getKind();
        if (k == io.fomo.grpc.treasury.v1.AccountKind.ACCOUNT_KIND_UNSPECIFIED
                || k == io.fomo.grpc.treasury.v1.AccountKind.UNRECOGNIZED) {
            return null;
        }
        return OperationMapper.kind(k, "account");
    }

    /** Each operation of a batch as the allow-list sees it. */
    static List<Request> requests(List<BatchOperation> operations) {
        List<Request> out = new java.util.ArrayList<>(operations.size());
        for (BatchOperation o : operations) {
            out.add(switch (o.getOperationCase()) {
                case TRANSFER -> move(Op.TRANSFER, o.getTransfer().getDebit(), o.getTransfer().getCredit());
                case CREATE_PENDING -> move(Op.CREATE_PENDING, o.getCreatePending().getDebit(),
                        o.getCreatePending().getCredit());
                case POST_PENDING -> Request.of(Op.POST_PENDING);
                case VOID_PENDING -> Request.of(Op.VOID_PENDING);
                case REGISTER_TOKEN -> Request.of(Op.REGISTER_TOKEN);
                case MINT_MODEL_TOKEN -> Request.move(Op.MINT_MODEL_TOKEN, AccountKind.ISSUER, LedgerRules.PROTOCOL,
                        kind(o.getMintModelToken().getCredit()), o.getMintModelToken().getCredit().getOwner());
                // An empty operation: no row allows it for anyone but unrestricted clients; the batch refuses it.
                case OPERATION_NOT_SET -> new Request(null, null, null, null, null);
            });
        }
        return out;
    }

    @Override
    public Uni<TransferResult> transfer(TransferRequest request) {
        return allowed(() -> List.of(move(Op.TRANSFER, request.getDebit(), request.getCredit())),
                () -> ledger.single(Set.of(request.getToken()), m -> m.transfer(request))
                .flatMap(this::withTokens)
                .map(applied -> {
                    TransferDone done = (TransferDone) applied.results().get(0);
                    return mapping().transfer(done.entry(), done.replayed());
                }));
    }

    @Override
    public Uni<PendingTransfer> createPending(CreatePendingRequest request) {
        return allowed(() -> List.of(move(Op.CREATE_PENDING, request.getDebit(), request.getCredit())),
                () -> ledger.single(Set.of(request.getToken()), m -> m.createPending(request))
                .flatMap(this::withTokens)
                .map(this::firstPending));
    }

    @Override
    public Uni<PendingTransfer> postPending(PostPendingRequest request) {
        return allowed(() -> List.of(Request.of(Op.POST_PENDING)),
                () -> ledger.single(Set.of(), m -> m.postPending(request))
                .flatMap(this::withTokens)
                .map(this::firstPending));
    }

    @Override
    public Uni<PendingTransfer> voidPending(VoidPendingRequest request) {
        return allowed(() -> List.of(Request.of(Op.VOID_PENDING)),
                () -> ledger.single(Set.of(), m -> m.voidPending(request))
                .flatMap(this::withTokens)
                .map(this::firstPending));
    }

    @Override
    public Uni<SubmitBatchResult> submitBatch(SubmitBatchRequest request) {
        return allowed(() -> requests(request.getOperationsList()),
                () -> ledger.batch(request.getBatchId(), OperationMapper.symbolsOf(request.getOperationsList()),
                        m -> m.batch(request.getOperationsList(), ledger.maxBatchOperations()))
                .flatMap(this::withTokens)
                .flatMap(applied -> supplies(applied)
                        .map(supplies -> batchResult(request.getBatchId(), applied, supplies, mapping()))));
    }

    @Override
    public Uni<Token> registerModelToken(RegisterModelTokenRequest request) {
        return allowed(() -> List.of(Request.of(Op.REGISTER_TOKEN)),
                () -> ledger.single(Set.of(request.getSymbol()), m -> m.registerModelToken(request))
                .flatMap(applied -> supplies(applied).map(supplies -> {
                    TokenDone done = (TokenDone) applied.results().get(0);
                    return ProtoMapping.token(supplies.get(0), done.replayed());
                })));
    }

    @Override
    public Uni<Token> getToken(GetTokenRequest request) {
        return allowed(() -> List.of(Request.of(Op.READ)),
                () -> ledger.supplies(Set.of(request.getSymbol()))
                .map(list -> {
                    if (list.isEmpty()) {
                        throw ErrorCode.TOKEN_NOT_FOUND.problem("no token " + request.getSymbol());
                    }
                    return ProtoMapping.token(list.get(0), false);
                }));
    }

    @Override
    public Uni<GetBalancesResponse> getBalances(GetBalancesRequest request) {
        return allowed(() -> List.of(Request.of(Op.READ)),
                () -> Uni.createFrom().item(request)
                .invoke(r -> OperationMapper.owner(r.getOwner(), "owner"))
                .flatMap(r -> ledger.accounts(r.getOwner(), r.getToken().isEmpty() ? null : r.getToken()))
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
                }));
    }

    @Override
    public Uni<Account> getAccount(GetAccountRequest request) {
        return allowed(() -> List.of(Request.of(Op.READ)),
                () -> ledger.tokens(Set.of(request.getToken()))
                .flatMap(known -> {
                    LedgerToken token = new OperationMapper(known).token(request.getToken());
                    AccountKey key = OperationMapper.account(request.getAccount(), token, "account");
                    return ledger.account(key)
                            .map(state -> mapping().account(state != null ? state : AccountState.empty(0, key)));
                }));
    }

    @Override
    public Uni<PendingTransfer> getPending(GetPendingRequest request) {
        return allowed(() -> List.of(Request.of(Op.READ)),
                () -> ledger.pending(request.getPendingId())
                .flatMap(p -> {
                    if (p == null) {
                        throw ErrorCode.PENDING_NOT_FOUND.problem("no pending transfer " + request.getPendingId());
                    }
                    return ledger.tokens(Set.of(p.token())).map(x -> mapping().pending(p, p.pendingId(), false));
                }));
    }

    /** ListPending's default and largest page (ledger.proto {@code ListPendingRequest.limit}). */
    static final int DEFAULT_PAGE = 100;
    static final int MAX_PAGE = 1000;

    @Override
    public Uni<ListPendingResponse> listPending(ListPendingRequest request) {
        return allowed(() -> List.of(Request.list(Op.LIST_PENDING, kind(request.getAccount()),
                        request.getAccount().getOwner())),
                () -> {
                    int limit = request.getLimit() == 0 ? DEFAULT_PAGE : request.getLimit();
                    if (request.getLimit() > MAX_PAGE) {
                        throw ErrorCode.INVALID_PAGE_SIZE.problem("limit must be 1.." + MAX_PAGE);
                    }
                    String after = request.getPageToken().isEmpty() ? null : request.getPageToken();
                    if (after != null && after.length() > OperationMapper.MAX_ID_LENGTH) {
                        throw ErrorCode.INVALID_PAGE_TOKEN.problem("page_token is the previous page's next_page_token");
                    }
                    PendingState state = switch (request.getState()) {
                        case TRANSFER_STATE_UNSPECIFIED -> null;
                        case TRANSFER_STATE_PENDING -> PendingState.PENDING;
                        case TRANSFER_STATE_POSTED -> PendingState.POSTED;
                        case TRANSFER_STATE_VOIDED -> PendingState.VOIDED;
                        case TRANSFER_STATE_EXPIRED -> PendingState.EXPIRED;
                        default -> throw ErrorCode.INVALID_STATE.problem("state is not a transfer state");
                    };
                    return ledger.tokens(Set.of(request.getToken())).flatMap(known -> {
                        LedgerToken token = new OperationMapper(known).token(request.getToken());
                        AccountKey credit = OperationMapper.account(request.getAccount(), token, "account");
                        return ledger.pendingInto(credit, state, after, limit).map(page -> {
                            ProtoMapping mapping = mapping();
                            ListPendingResponse.Builder b = ListPendingResponse.newBuilder();
                            page.forEach(p -> b.addPending(mapping.pending(p, p.pendingId(), false)));
                            if (page.size() == limit) {
                                b.setNextPageToken(page.get(page.size() - 1).pendingId());
                            }
                            return b.build();
                        });
                    });
                });
    }

    /** The answer to a SubmitBatch: each operation's result, in the request's order. */
    public static SubmitBatchResult batchResult(String batchId, Applied applied, List<TokenSupply> supplies,
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
