package io.fomo.treasury.ledger.api;

import io.fomo.treasury.ledger.LedgerPermissions;
import io.fomo.treasury.ledger.LedgerTestSupport;
import io.fomo.treasury.ledger.model.AccountKey;
import io.fomo.treasury.ledger.model.AccountKind;
import io.fomo.treasury.ledger.model.LedgerRules;

import static io.fomo.treasury.ledger.LedgerTestSupport.code;
import static io.fomo.treasury.ledger.LedgerTestSupport.fund;
import static io.fomo.treasury.ledger.LedgerTestSupport.journalRows;
import static io.fomo.treasury.ledger.LedgerTestSupport.pending;
import static io.fomo.treasury.ledger.LedgerTestSupport.ref;
import static io.fomo.treasury.ledger.LedgerTestSupport.status;
import static io.fomo.treasury.ledger.LedgerTestSupport.transfer;
import static io.fomo.treasury.ledger.LedgerTestSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.fomo.grpc.treasury.v1.AccountRef;
import io.fomo.grpc.treasury.v1.BatchOperation;
import io.fomo.grpc.treasury.v1.GetAccountRequest;
import io.fomo.grpc.treasury.v1.GetBalancesRequest;
import io.fomo.grpc.treasury.v1.GetPendingRequest;
import io.fomo.grpc.treasury.v1.GetTokenRequest;
import io.fomo.grpc.treasury.v1.LedgerGrpc;
import io.fomo.grpc.treasury.v1.ListPendingRequest;
import io.fomo.grpc.treasury.v1.MintModelTokenOp;
import io.fomo.grpc.treasury.v1.PostPendingRequest;
import io.fomo.grpc.treasury.v1.RegisterModelTokenRequest;
import io.fomo.grpc.treasury.v1.SubmitBatchRequest;
import io.fomo.grpc.treasury.v1.TransferState;
import io.fomo.grpc.treasury.v1.VoidPendingRequest;
import io.fomo.testkit.KeycloakTokens;
import io.fomo.testkit.TestDatabase;
import io.fomo.treasury.ledger.LedgerPermissions.Op;
import io.fomo.treasury.ledger.LedgerPermissions.Request;
import io.fomo.treasury.ledger.LedgerPermissions.Rule;
import io.grpc.Status;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;

/**
 * The allow-list of README "Who may call the Ledger" on the running gRPC service, with the production table (no
 * unrestricted test client) and real Keycloak tokens of every client of the realm: per row, each of its clients is
 * served and every other client refused (PERMISSION_DENIED, nothing written); the row's own clients are refused
 * outside the row's families and owners; api-platform and users are refused on every method.
 */
@QuarkusTest
@TestProfile(LedgerAllowListQuarkusTest.ProductionTable.class)
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class LedgerAllowListQuarkusTest {

    /** The production table: no client is unrestricted. */
    public static class ProductionTable implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("fomo.treasury.ledger.unrestricted-clients", "none");
        }
    }

    /** Every client of the realm with role {@code service} (deploy/keycloak/fomo-realm.json). */
    static final List<String> SERVICES = List.of("treasury-service", "rmo-service", "inference-billing",
            "staking-service", "emission-service", "api-platform");

    static final LedgerPermissions TABLE = LedgerPermissions.configured(Map.of(), List.of());

    @GrpcClient("ledger")
    LedgerGrpc.LedgerBlockingStub client;

    @Inject
    Pool pool;

    LedgerGrpc.LedgerBlockingStub as(String serviceClient) {
        return LedgerTestSupport.as(client, KeycloakTokens.service(serviceClient));
    }

    static Stream<String> rows() {
        return LedgerPermissions.defaults().stream().map(Rule::name);
    }

    static io.fomo.grpc.treasury.v1.AccountKind wire(AccountKind kind) {
        return io.fomo.grpc.treasury.v1.AccountKind.valueOf("ACCOUNT_KIND_" + kind.name());
    }

    /** One call the row is about, with fresh accounts funded in-process; each side's family given. */
    record Sample(Request request, Consumer<LedgerGrpc.LedgerBlockingStub> call) {
    }

    Sample sample(Op op, AccountKind debit, AccountKind credit, boolean sameOwner) {
        String debitOwner = debit == AccountKind.ISSUER ? LedgerRules.PROTOCOL : unique("o");
        String creditOwner = sameOwner ? debitOwner : unique("p");
        AccountRef d = debit == null ? null : ref(debitOwner, wire(debit));
        AccountRef c = credit == null ? null : ref(creditOwner, wire(credit));
        return switch (op) {
            case TRANSFER -> {
                fundUnlessIssuer(debitOwner, debit);
                yield new Sample(Request.move(op, debit, debitOwner, credit, creditOwner),
                        s -> s.transfer(transfer(unique("t"), d, c, "USDC", "1")));
            }
            case CREATE_PENDING -> {
                fundUnlessIssuer(debitOwner, debit);
                yield new Sample(Request.move(op, debit, debitOwner, credit, creditOwner),
                        s -> s.createPending(pending(unique("h"), d, c, "USDC", "1")));
            }
            case POST_PENDING, VOID_PENDING -> {
                String pendingId = contribution();
                yield new Sample(Request.of(op), s -> {
                    var p = op == Op.POST_PENDING
                            ? s.postPending(PostPendingRequest.newBuilder().setId(unique("post")).setPendingId(pendingId)
                                    .build())
                            : s.voidPending(VoidPendingRequest.newBuilder().setId(unique("void")).setPendingId(pendingId)
                                    .build());
                    assertThat(p.getState()).isNotEqualTo(TransferState.TRANSFER_STATE_PENDING);
                });
            }
            case REGISTER_TOKEN -> new Sample(Request.of(op), s -> s.registerModelToken(
                    RegisterModelTokenRequest.newBuilder().setSymbol(symbol()).setDeploymentId(unique("d")).build()));
            case MINT_MODEL_TOKEN -> {
                String symbol = symbol();
                as("rmo-service").registerModelToken(RegisterModelTokenRequest.newBuilder().setSymbol(symbol)
                        .setDeploymentId(unique("d")).build());
                yield new Sample(Request.move(op, AccountKind.ISSUER, LedgerRules.PROTOCOL, credit, creditOwner),
                        s -> s.submitBatch(SubmitBatchRequest.newBuilder().setBatchId(unique("launch"))
                                .addOperations(BatchOperation.newBuilder().setMintModelToken(MintModelTokenOp.newBuilder()
                                        .setId(unique("mint")).setSymbol(symbol).setCredit(c))).build()));
            }
            case LIST_PENDING -> {
                String pendingId = contribution();
                yield new Sample(Request.list(op, credit, creditOwner), s -> s.listPending(ListPendingRequest.newBuilder()
                        .setAccount(c).setToken("USDC").setState(TransferState.TRANSFER_STATE_PENDING).build()));
            }
            case READ -> {
                String pendingId = contribution();
                yield new Sample(Request.of(op), s -> {
                    assertThat(s.getToken(GetTokenRequest.newBuilder().setSymbol("USDC").build()).getDecimals())
                            .isEqualTo(6);
                    s.getBalances(GetBalancesRequest.newBuilder().setOwner(debitOwner).build());
                    s.getAccount(GetAccountRequest.newBuilder().setAccount(ref(debitOwner,
                            io.fomo.grpc.treasury.v1.AccountKind.ACCOUNT_KIND_USER)).setToken("USDC").build());
                    s.getPending(GetPendingRequest.newBuilder().setPendingId(pendingId).build());
                });
            }
        };
    }

    static void fundUnlessIssuer(String owner, AccountKind kind) {
        if (kind != AccountKind.ISSUER) {
            fund(new AccountKey(owner, "USDC", kind), "10");
        }
    }

    /** A contribution held by rmo-service (row contribution-hold), to post, void or read. */
    String contribution() {
        String user = unique("u");
        fund(new AccountKey(user, "USDC", AccountKind.USER), "5");
        String id = unique("contribution");
        as("rmo-service").createPending(pending(id, ref(user, io.fomo.grpc.treasury.v1.AccountKind.ACCOUNT_KIND_USER),
                ref(unique("offering"), io.fomo.grpc.treasury.v1.AccountKind.ACCOUNT_KIND_OFFERING_ESCROW), "USDC", "2"));
        return id;
    }

    static String symbol() {
        return "AL" + Long.toString(System.nanoTime() % 1_000_000_000_000L, 36).toUpperCase();
    }

    void assertRefused(String who, LedgerGrpc.LedgerBlockingStub stub, Sample sample) {
        long rows = journalRows(pool);
        assertThatThrownBy(() -> sample.call().accept(stub))
                .as("%s must be refused %s", who, sample.request())
                .satisfies(e -> {
                    assertThat(status(e)).isEqualTo(Status.Code.PERMISSION_DENIED);
                    assertThat(code(e)).isIn("OPERATION_NOT_ALLOWED", "FORBIDDEN");
                });
        assertThat(journalRows(pool)).as("nothing written for a refused call").isEqualTo(rows);
    }

    /** The row's sample for each realm client: served when the table allows that client, refused otherwise. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void eachRowServesItsClientsAndRefusesEveryOther(String name) {
        Rule rule = LedgerPermissions.defaults().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
        assertThat(rule.clients()).isNotEmpty();
        for (Op op : rule.ops()) {
            AccountKind debit = rule.debit().isEmpty() ? null : rule.debit().iterator().next();
            for (AccountKind credit : rule.credit().isEmpty() ? java.util.Collections.<AccountKind>singleton(null)
                    : rule.credit()) {
                for (String service : SERVICES) {
                    Sample sample = sample(op, debit, credit, rule.sameOwner());
                    if (TABLE.allows(service, sample.request())) {
                        sample.call().accept(as(service));
                    } else {
                        assertThat(rule.clients()).doesNotContain(service);
                        assertRefused(service, as(service), sample);
                    }
                }
            }
            // The row's own clients, outside the row: another credit family, other owners, another client's op.
            for (String own : rule.clients()) {
                if (op == Op.TRANSFER || op == Op.CREATE_PENDING) {
                    assertRefused(own, as(own), sample(op, debit, AccountKind.BURN, rule.sameOwner()));
                    if (rule.sameOwner()) {
                        assertRefused(own, as(own), sample(op, debit, rule.credit().iterator().next(), false));
                    }
                    assertRefused(own, as(own), sample(op, AccountKind.ISSUER, AccountKind.USER, false));
                } else if (op == Op.MINT_MODEL_TOKEN) {
                    assertRefused(own, as(own), sample(op, null, AccountKind.USER, false));
                } else if (op == Op.LIST_PENDING) {
                    assertRefused(own, as(own), sample(op, null, AccountKind.USER, false));
                    assertRefused(own, as(own), sample(op, null, AccountKind.POOL_RESERVE, false));
                }
            }
        }
    }

    @Test
    void apiPlatformUsersAndOperatorsAreRefusedOnEveryLedgerMethod() {
        String pendingId = contribution();
        AccountRef user = ref(unique("u"), io.fomo.grpc.treasury.v1.AccountKind.ACCOUNT_KIND_USER);
        AccountRef escrow = ref(unique("o"), io.fomo.grpc.treasury.v1.AccountKind.ACCOUNT_KIND_OFFERING_ESCROW);
        List<Consumer<LedgerGrpc.LedgerBlockingStub>> everyMethod = List.of(
                s -> s.transfer(transfer(unique("t"), user, escrow, "USDC", "1")),
                s -> s.createPending(pending(unique("p"), user, escrow, "USDC", "1")),
                s -> s.postPending(PostPendingRequest.newBuilder().setId(unique("a")).setPendingId(pendingId).build()),
                s -> s.voidPending(VoidPendingRequest.newBuilder().setId(unique("a")).setPendingId(pendingId).build()),
                s -> s.submitBatch(SubmitBatchRequest.newBuilder().setBatchId(unique("b"))
                        .addOperations(BatchOperation.newBuilder().setRegisterToken(RegisterModelTokenRequest
                                .newBuilder().setSymbol(symbol()).setDeploymentId("d"))).build()),
                s -> s.registerModelToken(RegisterModelTokenRequest.newBuilder().setSymbol(symbol())
                        .setDeploymentId("d").build()),
                s -> s.getToken(GetTokenRequest.newBuilder().setSymbol("FLOCK").build()),
                s -> s.getBalances(GetBalancesRequest.newBuilder().setOwner(user.getOwner()).build()),
                s -> s.getAccount(GetAccountRequest.newBuilder().setAccount(user).setToken("USDC").build()),
                s -> s.getPending(GetPendingRequest.newBuilder().setPendingId(pendingId).build()),
                s -> s.listPending(ListPendingRequest.newBuilder().setAccount(escrow).setToken("USDC").build()));
        Map<String, LedgerGrpc.LedgerBlockingStub> callers = Map.of(
                "api-platform", as("api-platform"),
                "inference-billing", as("inference-billing"),
                "bob", LedgerTestSupport.as(client, KeycloakTokens.user("bob")),
                "op", LedgerTestSupport.as(client, KeycloakTokens.user("op")));
        long rows = journalRows(pool);
        long tokens = LedgerTestSupport.count(pool, "SELECT count(*) FROM ledger_token");
        callers.forEach((who, stub) -> everyMethod.forEach(call -> assertRefused(who, stub, new Sample(null, call))));
        assertThat(journalRows(pool)).isEqualTo(rows);
        assertThat(LedgerTestSupport.count(pool, "SELECT count(*) FROM ledger_token")).isEqualTo(tokens);
        assertThat(as("rmo-service").getPending(GetPendingRequest.newBuilder().setPendingId(pendingId).build())
                .getState()).isEqualTo(TransferState.TRANSFER_STATE_PENDING);
    }

    @Test
    void oneRefusedOperationRefusesTheWholeBatch() {
        String owner = unique("u");
        fund(new AccountKey(owner, "USDC", AccountKind.USER), "10");
        AccountRef user = ref(owner, io.fomo.grpc.treasury.v1.AccountKind.ACCOUNT_KIND_USER);
        SubmitBatchRequest batch = SubmitBatchRequest.newBuilder().setBatchId(unique("b"))
                .addOperations(BatchOperation.newBuilder().setTransfer(transfer(unique("stake"), user,
                        ref(owner, io.fomo.grpc.treasury.v1.AccountKind.ACCOUNT_KIND_STAKING_CUSTODY), "USDC", "1")))
                .addOperations(BatchOperation.newBuilder().setTransfer(transfer(unique("steal"), user,
                        ref(unique("mallory"), io.fomo.grpc.treasury.v1.AccountKind.ACCOUNT_KIND_USER), "USDC", "9")))
                .build();
        assertRefused("staking-service", as("staking-service"), new Sample(null, s -> s.submitBatch(batch)));
        assertThat(as("staking-service").getAccount(GetAccountRequest.newBuilder().setAccount(user).setToken("USDC")
                .build()).getAvailable()).isEqualTo("10");
        // Without the second operation the same client is served.
        assertThat(as("staking-service").submitBatch(batch.toBuilder().removeOperations(1).build()).getResultsCount())
                .isEqualTo(1);
    }
}
