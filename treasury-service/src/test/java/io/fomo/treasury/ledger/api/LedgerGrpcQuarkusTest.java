package io.fomo.treasury.ledger.api;

import io.fomo.treasury.ledger.LedgerTestSupport;
import io.fomo.treasury.ledger.model.LedgerRules;

import static io.fomo.treasury.ledger.LedgerTestSupport.account;
import static io.fomo.treasury.ledger.LedgerTestSupport.code;
import static io.fomo.treasury.ledger.LedgerTestSupport.fundUsdc;
import static io.fomo.treasury.ledger.LedgerTestSupport.journalRows;
import static io.fomo.treasury.ledger.LedgerTestSupport.pending;
import static io.fomo.treasury.ledger.LedgerTestSupport.protocol;
import static io.fomo.treasury.ledger.LedgerTestSupport.ref;
import static io.fomo.treasury.ledger.LedgerTestSupport.status;
import static io.fomo.treasury.ledger.LedgerTestSupport.transfer;
import static io.fomo.treasury.ledger.LedgerTestSupport.unique;
import static io.fomo.treasury.ledger.LedgerTestSupport.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.fomo.grpc.treasury.v1.AccountKind;
import io.fomo.grpc.treasury.v1.AccountRef;
import io.fomo.grpc.treasury.v1.BatchOperation;
import io.fomo.grpc.treasury.v1.CreatePendingRequest;
import io.fomo.grpc.treasury.v1.GetAccountRequest;
import io.fomo.grpc.treasury.v1.GetBalancesRequest;
import io.fomo.grpc.treasury.v1.GetPendingRequest;
import io.fomo.grpc.treasury.v1.GetTokenRequest;
import io.fomo.grpc.treasury.v1.LedgerGrpc;
import io.fomo.grpc.treasury.v1.ListPendingRequest;
import io.fomo.grpc.treasury.v1.MintModelTokenOp;
import io.fomo.grpc.treasury.v1.PendingTransfer;
import io.fomo.grpc.treasury.v1.PostPendingRequest;
import io.fomo.grpc.treasury.v1.RegisterModelTokenRequest;
import io.fomo.grpc.treasury.v1.SubmitBatchRequest;
import io.fomo.grpc.treasury.v1.SubmitBatchResult;
import io.fomo.grpc.treasury.v1.Token;
import io.fomo.grpc.treasury.v1.TransferRequest;
import io.fomo.grpc.treasury.v1.TransferResult;
import io.fomo.grpc.treasury.v1.TransferState;
import io.fomo.grpc.treasury.v1.VoidPendingRequest;
import io.fomo.testkit.KeycloakTokens;
import io.fomo.testkit.TestDatabase;
import io.fomo.treasury.audit.AuditService;
import io.grpc.Status;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;

/** The Ledger gRPC service against the real PostgreSQL and real Keycloak tokens. */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class LedgerGrpcQuarkusTest {

    @GrpcClient("ledger")
    LedgerGrpc.LedgerBlockingStub client;

    @Inject
    Pool pool;

    @Inject
    AuditService audit;

    LedgerGrpc.LedgerBlockingStub ledger;

    @BeforeEach
    void serviceCaller() {
        ledger = LedgerTestSupport.service(client);
    }

    String available(AccountRef ref, String token) {
        return ledger.getAccount(account(ref, token)).getAvailable();
    }

    void assertAuditOk() {
        var report = audit.audit().await().indefinitely();
        assertThat(report.ok()).as("audit %s", report).isTrue();
    }

    @Test
    void sameIdSameContentReplaysTheFirstResultAndOtherContentIsAConflict() {
        String bob = unique("bob");
        String carol = unique("carol");
        fundUsdc(bob, "100");
        TransferRequest pay = transfer(unique("pay"), user(bob), user(carol), "USDC", "10.50");
        TransferResult first = ledger.transfer(pay);
        assertThat(first.getReplayed()).isFalse();
        assertThat(first.getAmount()).isEqualTo("10.5");
        assertThat(first.getState()).isEqualTo(TransferState.TRANSFER_STATE_POSTED);

        long rows = journalRows(pool);
        TransferResult again = ledger.transfer(pay);
        assertThat(again.getReplayed()).isTrue();
        assertThat(again.toBuilder().setReplayed(false).build()).isEqualTo(first);
        // The same content in another form ("10.5" = "10.50") is the same content.
        assertThat(ledger.transfer(pay.toBuilder().setAmount("10.5").build()).getReplayed()).isTrue();
        assertThat(available(user(bob), "USDC")).isEqualTo("89.5");

        assertThatThrownBy(() -> ledger.transfer(pay.toBuilder().setAmount("11").build()))
                .satisfies(e -> {
                    assertThat(status(e)).isEqualTo(Status.Code.ALREADY_EXISTS);
                    assertThat(code(e)).isEqualTo("IDEMPOTENCY_CONFLICT");
                });
        assertThatThrownBy(() -> ledger.transfer(pay.toBuilder().setCredit(user(bob + "x")).build()))
                .satisfies(e -> assertThat(code(e)).isEqualTo("IDEMPOTENCY_CONFLICT"));
        // An id used by a transfer cannot name a pending transfer either.
        assertThatThrownBy(() -> ledger.createPending(pending(pay.getId(), user(bob), user(carol), "USDC", "1")))
                .satisfies(e -> assertThat(code(e)).isEqualTo("IDEMPOTENCY_CONFLICT"));
        assertThat(journalRows(pool)).isEqualTo(rows);
        assertThat(available(user(bob), "USDC")).isEqualTo("89.5");
        assertThat(available(user(carol), "USDC")).isEqualTo("10.5");
    }

    @Test
    void aPendingTransferIsHeldThenPostedPartlyAndTheRestReleased() {
        String bob = unique("bob");
        AccountRef escrow = ref(unique("offering"), AccountKind.ACCOUNT_KIND_OFFERING_ESCROW);
        fundUsdc(bob, "100");
        String id = unique("contribution");
        PendingTransfer held = ledger.createPending(pending(id, user(bob), escrow, "USDC", "60"));
        assertThat(held.getState()).isEqualTo(TransferState.TRANSFER_STATE_PENDING);
        var bobAccount = ledger.getAccount(account(user(bob), "USDC"));
        assertThat(bobAccount.getAvailable()).isEqualTo("40");
        assertThat(bobAccount.getPendingDebits()).isEqualTo("60");
        assertThat(bobAccount.getBalance()).isEqualTo("100");
        // Not spendable by its owner ...
        assertThatThrownBy(() -> ledger.transfer(transfer(unique("t"), user(bob), user(unique("x")), "USDC", "40.000001")))
                .satisfies(e -> {
                    assertThat(status(e)).isEqualTo(Status.Code.FAILED_PRECONDITION);
                    assertThat(code(e)).isEqualTo("INSUFFICIENT_BALANCE");
                });
        // ... nor takeable by the other side before it is posted.
        assertThatThrownBy(() -> ledger.transfer(transfer(unique("t"), escrow, user(bob), "USDC", "1")))
                .satisfies(e -> assertThat(code(e)).isEqualTo("INSUFFICIENT_BALANCE"));

        PendingTransfer posted = ledger.postPending(PostPendingRequest.newBuilder().setId(id + ":post")
                .setPendingId(id).setAmount("45.25").build());
        assertThat(posted.getState()).isEqualTo(TransferState.TRANSFER_STATE_POSTED);
        assertThat(posted.getPostedAmount()).isEqualTo("45.25");
        assertThat(posted.getReleasedAmount()).isEqualTo("14.75");
        assertThat(posted.hasResolvedAt()).isTrue();
        assertThat(available(user(bob), "USDC")).isEqualTo("54.75");
        assertThat(available(escrow, "USDC")).isEqualTo("45.25");
        assertThat(ledger.getPending(GetPendingRequest.newBuilder().setPendingId(id).build()).getState())
                .isEqualTo(TransferState.TRANSFER_STATE_POSTED);

        // A replay of the create answers its first result (PENDING) again; the post is final.
        PendingTransfer createAgain = ledger.createPending(pending(id, user(bob), escrow, "USDC", "60"));
        assertThat(createAgain.getReplayed()).isTrue();
        assertThat(createAgain.getState()).isEqualTo(TransferState.TRANSFER_STATE_PENDING);
        assertThatThrownBy(() -> ledger.voidPending(VoidPendingRequest.newBuilder().setId(id + ":void")
                .setPendingId(id).build()))
                .satisfies(e -> {
                    assertThat(status(e)).isEqualTo(Status.Code.FAILED_PRECONDITION);
                    assertThat(code(e)).isEqualTo("PENDING_NOT_PENDING");
                });
        assertAuditOk();
    }

    @Test
    void voidGivesEverythingBack() {
        String bob = unique("bob");
        AccountRef escrow = ref(unique("offering"), AccountKind.ACCOUNT_KIND_OFFERING_ESCROW);
        fundUsdc(bob, "7");
        String id = unique("contribution");
        ledger.createPending(pending(id, user(bob), escrow, "USDC", "7"));
        assertThat(available(user(bob), "USDC")).isEqualTo("0");
        PendingTransfer voided = ledger.voidPending(VoidPendingRequest.newBuilder().setId(id + ":void")
                .setPendingId(id).build());
        assertThat(voided.getState()).isEqualTo(TransferState.TRANSFER_STATE_VOIDED);
        assertThat(voided.getReleasedAmount()).isEqualTo("7");
        assertThat(voided.getPostedAmount()).isEqualTo("0");
        assertThat(available(user(bob), "USDC")).isEqualTo("7");
        assertThat(ledger.getAccount(account(escrow, "USDC")).getPendingCredits()).isEqualTo("0");
        assertThatThrownBy(() -> ledger.postPending(PostPendingRequest.newBuilder().setId(id + ":post")
                .setPendingId(id).build()))
                .satisfies(e -> assertThat(code(e)).isEqualTo("PENDING_NOT_PENDING"));
        assertThatThrownBy(() -> ledger.voidPending(VoidPendingRequest.newBuilder().setId(unique("v"))
                .setPendingId(unique("nothing")).build()))
                .satisfies(e -> {
                    assertThat(status(e)).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(code(e)).isEqualTo("PENDING_NOT_FOUND");
                });
    }

    @Test
    void aPendingTransferExpiresOnItsOwnAndCanThenNeitherBePostedNorVoided() {
        String bob = unique("bob");
        AccountRef hold = ref(LedgerRules.PROTOCOL, AccountKind.ACCOUNT_KIND_PREPAID_CREDITS);
        fundUsdc(bob, "3");
        String id = unique("hold");
        Instant expiry = Instant.now().plusMillis(1500);
        CreatePendingRequest request = pending(id, user(bob), hold, "USDC", "2").toBuilder()
                .setExpiresAt(ProtoMapping.timestamp(expiry)).build();
        PendingTransfer created = ledger.createPending(request);
        assertThat(created.hasExpiresAt()).isTrue();
        assertThat(available(user(bob), "USDC")).isEqualTo("1");

        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(ledger.getPending(GetPendingRequest.newBuilder().setPendingId(id).build()).getState())
                        .isEqualTo(TransferState.TRANSFER_STATE_EXPIRED));
        PendingTransfer expired = ledger.getPending(GetPendingRequest.newBuilder().setPendingId(id).build());
        assertThat(expired.getReleasedAmount()).isEqualTo("2");
        assertThat(available(user(bob), "USDC")).isEqualTo("3");
        assertThatThrownBy(() -> ledger.postPending(PostPendingRequest.newBuilder().setId(id + ":post")
                .setPendingId(id).build()))
                .satisfies(e -> {
                    assertThat(status(e)).isEqualTo(Status.Code.FAILED_PRECONDITION);
                    assertThat(code(e)).isEqualTo("PENDING_EXPIRED");
                });
        assertThatThrownBy(() -> ledger.voidPending(VoidPendingRequest.newBuilder().setId(id + ":void")
                .setPendingId(id).build()))
                .satisfies(e -> assertThat(code(e)).isEqualTo("PENDING_EXPIRED"));
        // An expiry in the past is refused at create.
        assertThatThrownBy(() -> ledger.createPending(request.toBuilder().setId(unique("hold"))
                .setExpiresAt(ProtoMapping.timestamp(Instant.now().minusSeconds(1))).build()))
                .satisfies(e -> {
                    assertThat(status(e)).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(code(e)).isEqualTo("INVALID_EXPIRY");
                });
    }

    @Test
    void aBatchWithOneFailingTransferChangesNothing() {
        String bob = unique("bob");
        String carol = unique("carol");
        fundUsdc(bob, "10");
        long rows = journalRows(pool);
        String batchId = unique("batch");
        SubmitBatchRequest batch = SubmitBatchRequest.newBuilder().setBatchId(batchId)
                .addOperations(op(transfer(unique("b"), user(bob), user(carol), "USDC", "4")))
                .addOperations(BatchOperation.newBuilder().setCreatePending(
                        pending(unique("b"), user(bob), user(carol), "USDC", "4")))
                .addOperations(op(transfer(unique("b"), user(bob), user(carol), "USDC", "2.000001")))
                .build();
        assertThatThrownBy(() -> ledger.submitBatch(batch))
                .satisfies(e -> {
                    assertThat(status(e)).isEqualTo(Status.Code.FAILED_PRECONDITION);
                    assertThat(code(e)).isEqualTo("INSUFFICIENT_BALANCE");
                    assertThat(e).hasMessageContaining("operation 2");
                });
        assertThat(journalRows(pool)).isEqualTo(rows);
        assertThat(available(user(bob), "USDC")).isEqualTo("10");
        assertThat(ledger.getAccount(account(user(bob), "USDC")).getPendingDebits()).isEqualTo("0");
        assertThat(available(user(carol), "USDC")).isEqualTo("0");

        // The same batch id with an affordable set is then fine, once; a replay changes nothing.
        SubmitBatchRequest fine = batch.toBuilder().setOperations(2,
                op(transfer(unique("b"), user(bob), user(carol), "USDC", "2"))).build();
        SubmitBatchResult done = ledger.submitBatch(fine);
        assertThat(done.getResultsCount()).isEqualTo(3);
        assertThat(done.getResults(1).getPending().getState()).isEqualTo(TransferState.TRANSFER_STATE_PENDING);
        SubmitBatchResult replay = ledger.submitBatch(fine);
        assertThat(replay.getReplayed()).isTrue();
        assertThat(replay.getResults(0).getTransfer().getId()).isEqualTo(done.getResults(0).getTransfer().getId());
        assertThat(replay.getCommittedAt()).isEqualTo(done.getCommittedAt());
        assertThat(available(user(bob), "USDC")).isEqualTo("0");
        assertThatThrownBy(() -> ledger.submitBatch(batch))
                .satisfies(e -> {
                    assertThat(status(e)).isEqualTo(Status.Code.ALREADY_EXISTS);
                    assertThat(code(e)).isEqualTo("IDEMPOTENCY_CONFLICT");
                });
        assertAuditOk();
    }

    @Test
    void aModelTokenIsRegisteredThenMintedExactlyOnceByItsLaunchBatch() {
        String symbol = "MT" + Long.toString(System.nanoTime() % 1_000_000_000L, 36).toUpperCase();
        String deployment = unique("deployment");
        String offering = unique("offering");
        AccountRef escrow = ref(offering, AccountKind.ACCOUNT_KIND_OFFERING_ESCROW);
        Token registered = ledger.registerModelToken(RegisterModelTokenRequest.newBuilder().setSymbol(symbol)
                .setDeploymentId(deployment).build());
        assertThat(registered.getDecimals()).isEqualTo(18);
        assertThat(registered.getMintedOnce()).isFalse();
        assertThat(registered.getMinted()).isEqualTo("0");
        assertThat(ledger.registerModelToken(RegisterModelTokenRequest.newBuilder().setSymbol(symbol)
                .setDeploymentId(deployment).build()).getReplayed()).isTrue();
        assertThatThrownBy(() -> ledger.registerModelToken(RegisterModelTokenRequest.newBuilder().setSymbol(symbol)
                .setDeploymentId("someone-else").build()))
                .satisfies(e -> {
                    assertThat(status(e)).isEqualTo(Status.Code.ALREADY_EXISTS);
                    assertThat(code(e)).isEqualTo("TOKEN_EXISTS");
                });

        SubmitBatchRequest launch = SubmitBatchRequest.newBuilder().setBatchId("launch:" + offering)
                .addOperations(BatchOperation.newBuilder().setMintModelToken(MintModelTokenOp.newBuilder()
                        .setId("launch:" + offering + ":mint").setSymbol(symbol).setCredit(escrow)))
                .addOperations(op(transfer("launch:" + offering + ":treasury", escrow,
                        protocol(AccountKind.ACCOUNT_KIND_TREASURY), symbol, "100000")))
                .addOperations(op(transfer("launch:" + offering + ":bob", escrow, user(unique("bob")), symbol,
                        "160000")))
                .build();
        SubmitBatchResult result = ledger.submitBatch(launch);
        Token minted = result.getResults(0).getToken();
        assertThat(minted.getMinted()).isEqualTo("1000000");
        assertThat(minted.getMintedOnce()).isTrue();
        assertThat(available(escrow, symbol)).isEqualTo("740000");
        assertThat(ledger.submitBatch(launch).getReplayed()).isTrue();

        // Never twice: not by another batch ...
        String otherEscrow = unique("offering");
        SubmitBatchRequest again = SubmitBatchRequest.newBuilder().setBatchId(unique("launch"))
                .addOperations(BatchOperation.newBuilder().setMintModelToken(MintModelTokenOp.newBuilder()
                        .setId(unique("mint")).setSymbol(symbol)
                        .setCredit(ref(otherEscrow, AccountKind.ACCOUNT_KIND_OFFERING_ESCROW))))
                .build();
        assertThatThrownBy(() -> ledger.submitBatch(again))
                .satisfies(e -> {
                    assertThat(status(e)).isEqualTo(Status.Code.FAILED_PRECONDITION);
                    assertThat(code(e)).isEqualTo("TOKEN_ALREADY_MINTED");
                });
        // ... nor by a transfer out of its issuer (no gRPC caller may debit an ISSUER; the rules refuse it too:
        // LedgerRulesTest).
        assertThatThrownBy(() -> ledger.transfer(transfer(unique("sneaky"), protocol(AccountKind.ACCOUNT_KIND_ISSUER),
                user(unique("mallory")), symbol, "1")))
                .satisfies(e -> {
                    assertThat(status(e)).isEqualTo(Status.Code.PERMISSION_DENIED);
                    assertThat(code(e)).isEqualTo("OPERATION_NOT_ALLOWED");
                });
        Token after = ledger.getToken(GetTokenRequest.newBuilder().setSymbol(symbol).build());
        assertThat(after.getMinted()).isEqualTo("1000000");
        assertThat(after.getDeploymentId()).isEqualTo(deployment);
        // A burn lowers circulating, never minted.
        ledger.transfer(transfer(unique("burn"), escrow, protocol(AccountKind.ACCOUNT_KIND_BURN), symbol, "0.5"));
        Token burned = ledger.getToken(GetTokenRequest.newBuilder().setSymbol(symbol).build());
        assertThat(burned.getBurned()).isEqualTo("0.5");
        assertThat(burned.getCirculating()).isEqualTo("999999.5");
        assertAuditOk();
    }

    @Test
    void badInputIsInvalidArgumentAndWritesNothing() {
        String bob = unique("bob");
        fundUsdc(bob, "5");
        long rows = journalRows(pool);
        TransferRequest good = transfer(unique("t"), user(bob), user(unique("carol")), "USDC", "1");
        Map<String, Consumer<TransferRequest.Builder>> bad = Map.ofEntries(
                Map.entry("INVALID_AMOUNT", b -> b.setAmount("1e3")),
                Map.entry("INVALID_AMOUNT ", b -> b.setAmount("-1")),
                Map.entry("INVALID_AMOUNT  ", b -> b.setAmount("0")),
                Map.entry("INVALID_AMOUNT   ", b -> b.setAmount("1.0000001")),
                Map.entry("INVALID_AMOUNT    ", b -> b.setAmount("abc")),
                Map.entry("INVALID_AMOUNT     ", b -> b.setAmount("")),
                Map.entry("INVALID_AMOUNT      ", b -> b.setAmount(" 1")),
                Map.entry("UNKNOWN_TOKEN", b -> b.setToken("NOPE")),
                Map.entry("UNKNOWN_TOKEN ", b -> b.setToken("")),
                Map.entry("INVALID_ACCOUNT", b -> b.setDebit(ref(bob, AccountKind.ACCOUNT_KIND_UNSPECIFIED))),
                Map.entry("INVALID_ACCOUNT ", b -> b.setCredit(user(""))),
                Map.entry("INVALID_ACCOUNT  ", b -> b.clearCredit()),
                Map.entry("INVALID_ACCOUNT   ", b -> b.setCredit(user(bob))),
                Map.entry("INVALID_ACCOUNT    ", b -> b.setCredit(ref("mallory", AccountKind.ACCOUNT_KIND_BURN))),
                Map.entry("INVALID_ACCOUNT     ", b -> b.setCredit(protocol(AccountKind.ACCOUNT_KIND_ISSUER))),
                Map.entry("INVALID_ID", b -> b.setId("")),
                Map.entry("INVALID_ID ", b -> b.setId("ledger:mine")),
                Map.entry("INVALID_ID  ", b -> b.setId("x".repeat(129))),
                Map.entry("INVALID_CODE", b -> b.setCode("lower")),
                Map.entry("INVALID_CODE ", b -> b.setCode("SUPPLY_MINT")));
        bad.forEach((expected, change) -> {
            TransferRequest.Builder b = good.toBuilder();
            change.accept(b);
            assertThatThrownBy(() -> ledger.transfer(b.build()))
                    .as(expected.strip() + " for " + b)
                    .satisfies(e -> {
                        assertThat(status(e)).isEqualTo(Status.Code.INVALID_ARGUMENT);
                        assertThat(code(e)).isEqualTo(expected.strip());
                    });
        });
        assertThatThrownBy(() -> ledger.postPending(PostPendingRequest.newBuilder().setId(unique("p"))
                .setPendingId(unique("p")).setAmount("1,5").build()))
                .satisfies(e -> assertThat(code(e)).isEqualTo("INVALID_AMOUNT"));
        assertThatThrownBy(() -> ledger.submitBatch(SubmitBatchRequest.newBuilder().setBatchId(unique("b")).build()))
                .satisfies(e -> assertThat(code(e)).isEqualTo("INVALID_BATCH"));
        String dup = unique("dup");
        assertThatThrownBy(() -> ledger.submitBatch(SubmitBatchRequest.newBuilder().setBatchId(unique("b"))
                .addOperations(op(transfer(dup, user(bob), user("x"), "USDC", "1")))
                .addOperations(op(transfer(dup, user(bob), user("y"), "USDC", "1"))).build()))
                .satisfies(e -> assertThat(code(e)).isEqualTo("INVALID_ID"));
        assertThatThrownBy(() -> ledger.registerModelToken(RegisterModelTokenRequest.newBuilder().setSymbol("ab")
                .setDeploymentId("d").build()))
                .satisfies(e -> assertThat(code(e)).isEqualTo("INVALID_SYMBOL"));
        assertThatThrownBy(() -> ledger.getAccount(GetAccountRequest.newBuilder().setAccount(user(bob))
                .setToken("NOPE").build()))
                .satisfies(e -> assertThat(code(e)).isEqualTo("UNKNOWN_TOKEN"));
        assertThat(journalRows(pool)).isEqualTo(rows);
        assertThat(available(user(bob), "USDC")).isEqualTo("5");
    }

    @Test
    void balancesOfAnOwnerShowAvailableHeldStakedAndUnbonding() {
        String bob = unique("bob");
        fundUsdc(bob, "10");
        ledger.createPending(pending(unique("p"), user(bob), protocol(AccountKind.ACCOUNT_KIND_PREPAID_CREDITS), "USDC",
                "3"));
        var balances = ledger.getBalances(GetBalancesRequest.newBuilder().setOwner(bob).build());
        assertThat(balances.getBalancesList()).singleElement().satisfies(b -> {
            assertThat(b.getToken()).isEqualTo("USDC");
            assertThat(b.getAvailable()).isEqualTo("7");
            assertThat(b.getHeld()).isEqualTo("3");
            assertThat(b.getStaked()).isEqualTo("0");
        });
        assertThat(balances.getAccountsList()).singleElement()
                .satisfies(a -> assertThat(a.getBalance()).isEqualTo("10"));
        // An account that never moved reads as zeros.
        assertThat(ledger.getAccount(account(user(unique("nobody")), "FLOCK")).getBalance()).isEqualTo("0");
    }

    @Test
    void onlyServiceTokensMayCallTheLedger() {
        List<Consumer<LedgerGrpc.LedgerBlockingStub>> calls = List.of(
                s -> s.transfer(transfer(unique("t"), protocol(AccountKind.ACCOUNT_KIND_ISSUER), user("x"), "USDC", "1")),
                s -> s.createPending(pending(unique("p"), user("x"), user("y"), "USDC", "1")),
                s -> s.postPending(PostPendingRequest.newBuilder().setId(unique("a")).setPendingId("b").build()),
                s -> s.voidPending(VoidPendingRequest.newBuilder().setId(unique("a")).setPendingId("b").build()),
                s -> s.submitBatch(SubmitBatchRequest.newBuilder().setBatchId(unique("b"))
                        .addOperations(op(transfer(unique("t"), user("x"), user("y"), "USDC", "1"))).build()),
                s -> s.registerModelToken(RegisterModelTokenRequest.newBuilder().setSymbol("HACKED")
                        .setDeploymentId("d").build()),
                s -> s.getToken(GetTokenRequest.newBuilder().setSymbol("FLOCK").build()),
                s -> s.getBalances(GetBalancesRequest.newBuilder().setOwner("x").build()),
                s -> s.getAccount(account(user("x"), "USDC")),
                s -> s.getPending(GetPendingRequest.newBuilder().setPendingId("b").build()));
        long rows = journalRows(pool);
        for (var call : calls) {
            assertThatThrownBy(() -> call.accept(client))
                    .satisfies(e -> {
                        assertThat(status(e)).isEqualTo(Status.Code.UNAUTHENTICATED);
                        assertThat(code(e)).isEqualTo("UNAUTHENTICATED");
                    });
            assertThatThrownBy(() -> call.accept(LedgerTestSupport.as(client, KeycloakTokens.user("bob"))))
                    .satisfies(e -> {
                        assertThat(status(e)).isEqualTo(Status.Code.PERMISSION_DENIED);
                        assertThat(code(e)).isEqualTo("FORBIDDEN");
                    });
            assertThatThrownBy(() -> call.accept(LedgerTestSupport.as(client, KeycloakTokens.user("op"))))
                    .satisfies(e -> assertThat(status(e)).isEqualTo(Status.Code.PERMISSION_DENIED));
            assertThatThrownBy(() -> call.accept(LedgerTestSupport.as(client, "not-a-jwt")))
                    .satisfies(e -> assertThat(status(e)).isEqualTo(Status.Code.UNAUTHENTICATED));
        }
        assertThat(journalRows(pool)).isEqualTo(rows);
        // A service account needs a row of the allow-list besides (LedgerAllowListQuarkusTest).
        assertThat(LedgerTestSupport.as(client, KeycloakTokens.service("emission-service"))
                .getToken(GetTokenRequest.newBuilder().setSymbol("USDC").build()).getDecimals()).isEqualTo(6);
    }

    static BatchOperation op(TransferRequest transfer) {
        return BatchOperation.newBuilder().setTransfer(transfer).build();
    }

    @Test
    void thePendingTransfersIntoAnAccountAreListedInPagesByPendingId() {
        String bob = unique("bob");
        fundUsdc(bob, "100");
        AccountRef escrow = ref(unique("offering"), AccountKind.ACCOUNT_KIND_OFFERING_ESCROW);
        AccountRef other = ref(unique("offering"), AccountKind.ACCOUNT_KIND_OFFERING_ESCROW);
        String prefix = unique("contribution");
        for (String n : List.of("c", "a", "d", "b")) {
            ledger.createPending(pending(prefix + ":" + n, user(bob), escrow, "USDC", "1.5"));
        }
        ledger.createPending(pending(prefix + ":other", user(bob), other, "USDC", "7"));
        ledger.voidPending(VoidPendingRequest.newBuilder().setId(unique("void")).setPendingId(prefix + ":d").build());
        ledger.postPending(PostPendingRequest.newBuilder().setId(unique("post")).setPendingId(prefix + ":b").build());

        var first = ledger.listPending(ListPendingRequest.newBuilder().setAccount(escrow).setToken("USDC")
                .setState(TransferState.TRANSFER_STATE_PENDING).setLimit(1).build());
        assertThat(first.getPendingList()).extracting(PendingTransfer::getPendingId).containsExactly(prefix + ":a");
        assertThat(first.getPending(0).getDebit()).isEqualTo(user(bob));
        assertThat(first.getPending(0).getCredit()).isEqualTo(escrow);
        assertThat(first.getPending(0).getAmount()).isEqualTo("1.5");
        assertThat(first.getPending(0).getState()).isEqualTo(TransferState.TRANSFER_STATE_PENDING);
        assertThat(first.getNextPageToken()).isNotEmpty();
        var second = ledger.listPending(ListPendingRequest.newBuilder().setAccount(escrow).setToken("USDC")
                .setState(TransferState.TRANSFER_STATE_PENDING).setLimit(1).setPageToken(first.getNextPageToken()).build());
        assertThat(second.getPendingList()).extracting(PendingTransfer::getPendingId).containsExactly(prefix + ":c");
        var third = ledger.listPending(ListPendingRequest.newBuilder().setAccount(escrow).setToken("USDC")
                .setState(TransferState.TRANSFER_STATE_PENDING).setLimit(1).setPageToken(second.getNextPageToken()).build());
        assertThat(third.getPendingList()).isEmpty();
        assertThat(third.getNextPageToken()).isEmpty();

        // every state, default page size; another token or account lists nothing of these
        var all = ledger.listPending(ListPendingRequest.newBuilder().setAccount(escrow).setToken("USDC").build());
        assertThat(all.getPendingList()).extracting(p -> p.getPendingId().substring(prefix.length() + 1) + "=" + p.getState())
                .containsExactly("a=TRANSFER_STATE_PENDING", "b=TRANSFER_STATE_POSTED", "c=TRANSFER_STATE_PENDING",
                        "d=TRANSFER_STATE_VOIDED");
        assertThat(all.getNextPageToken()).isEmpty();
        assertThat(ledger.listPending(ListPendingRequest.newBuilder().setAccount(escrow).setToken("FLOCK").build())
                .getPendingCount()).isZero();
        assertThat(ledger.listPending(ListPendingRequest.newBuilder().setAccount(ref(unique("nobody"),
                AccountKind.ACCOUNT_KIND_OFFERING_ESCROW)).setToken("USDC").build()).getPendingCount()).isZero();
        assertThat(ledger.listPending(ListPendingRequest.newBuilder().setAccount(other).setToken("USDC")
                .setState(TransferState.TRANSFER_STATE_PENDING).build()).getPendingList())
                .extracting(PendingTransfer::getPendingId).containsExactly(prefix + ":other");

        // bad input: INVALID_ARGUMENT with its code
        Map<String, ListPendingRequest> bad = Map.of(
                "INVALID_PAGE_SIZE", ListPendingRequest.newBuilder().setAccount(escrow).setToken("USDC").setLimit(1001).build(),
                "INVALID_PAGE_TOKEN", ListPendingRequest.newBuilder().setAccount(escrow).setToken("USDC")
                        .setPageToken("x".repeat(129)).build(),
                "INVALID_ACCOUNT", ListPendingRequest.newBuilder().setToken("USDC").build(),
                "UNKNOWN_TOKEN", ListPendingRequest.newBuilder().setAccount(escrow).setToken("NOPE1").build());
        bad.forEach((code, request) -> assertThatThrownBy(() -> ledger.listPending(request)).as(code).satisfies(e -> {
            assertThat(status(e)).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(code(e)).isEqualTo(code);
        }));
    }

    /** Issue #21: LP shares move only by the treasury's liquidity endpoints; no Ledger client moves or holds them. */
    @Test
    void noClientTransfersOrHoldsLpShares() {
        String lp = "LP-FLOCK-USDC";
        // The genesis pool's LP token is registered at start (its seed shares backfilled into LP_LOCK).
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                ledger.getToken(GetTokenRequest.newBuilder().setSymbol(lp).build()).getSymbol()).isEqualTo(lp));
        Consumer<Throwable> refused = e -> {
            assertThat(status(e)).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(code(e)).isEqualTo("OPERATION_NOT_ALLOWED");
        };
        assertThatThrownBy(() -> ledger.transfer(transfer(unique("lp-out"), ref("protocol",
                AccountKind.ACCOUNT_KIND_LP_LOCK), user(unique("mallory")), lp, "1"))).satisfies(refused);
        assertThatThrownBy(() -> ledger.transfer(transfer(unique("lp-move"), user(unique("alice")),
                user(unique("mallory")), lp, "1"))).satisfies(refused);
        assertThatThrownBy(() -> ledger.createPending(CreatePendingRequest.newBuilder().setId(unique("lp-hold"))
                .setDebit(user(unique("alice"))).setCredit(ref(unique("offering"),
                        AccountKind.ACCOUNT_KIND_OFFERING_ESCROW)).setToken(lp).setAmount("1").build()))
                .satisfies(refused);
        assertAuditOk();
    }
}
