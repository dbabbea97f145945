package io.fomo.shared.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.fomo.grpc.treasury.v1.Account;
import io.fomo.grpc.treasury.v1.AccountKind;
import io.fomo.grpc.treasury.v1.BatchOperationResult;
import io.fomo.grpc.treasury.v1.GetAccountRequest;
import io.fomo.grpc.treasury.v1.LedgerGrpc;
import io.fomo.grpc.treasury.v1.ListPendingRequest;
import io.fomo.grpc.treasury.v1.ListPendingResponse;
import io.fomo.grpc.treasury.v1.MutinyLedgerGrpc;
import io.fomo.grpc.treasury.v1.PendingTransfer;
import io.fomo.grpc.treasury.v1.SubmitBatchRequest;
import io.fomo.grpc.treasury.v1.SubmitBatchResult;
import io.fomo.grpc.treasury.v1.TransferRequest;
import io.fomo.grpc.treasury.v1.TransferResult;
import io.fomo.grpc.treasury.v1.TransferState;
import io.fomo.shared.errors.ErrorCode;
import io.fomo.shared.grpc.ServiceTokens;
import io.fomo.shared.ledger.LedgerAccount.Kind;
import io.fomo.shared.ledger.LedgerResults.State;
import io.fomo.shared.money.Token;
import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** The one ledger client against a fake ledger gRPC server: typed mapping, token, deadline and retry policy. */
class LedgerClientTest {

    static final BigInteger ONE_AND_A_HALF_FLOCK = new BigInteger("1500000000000000000");

    FakeLedger fake;
    ManagedChannel channel;
    LedgerClient client;

    @BeforeEach
    void start() throws Exception {
        fake = new FakeLedger();
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", fake.port()).usePlaintext().build();
        client = new LedgerClient();
        client.mutiny = MutinyLedgerGrpc.newMutinyStub(channel);
        client.blocking = LedgerGrpc.newBlockingStub(channel);
        client.tokens = new ServiceTokens() {
            @Override
            public CallCredentials callCredentials() {
                return new CallCredentials() {
                    @Override
                    public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
                        Metadata headers = new Metadata();
                        headers.put(FakeLedger.AUTHORIZATION, "Bearer service-token");
                        applier.apply(headers);
                    }
                };
            }
        };
        client.deadline = Duration.ofSeconds(5);
        client.batchDeadline = Duration.ofSeconds(5);
        client.attempts = 6;
    }

    @AfterEach
    void stop() {
        channel.shutdownNow();
        fake.close();
    }

    static LedgerOp.Transfer transfer() {
        return new LedgerOp.Transfer("unbond:42", LedgerAccount.of("alice", Kind.UNBONDING), LedgerAccount.user("alice"),
                Token.FLOCK, ONE_AND_A_HALF_FLOCK, "UNSTAKE_RELEASE", "stake:42");
    }

    /** When the fake ledger says it first applied a transfer. */
    static final Instant APPLIED_AT = Instant.parse("2026-12-03T09:59:58.250Z");

    static TransferResult posted(String id, boolean replayed) {
        return TransferResult.newBuilder().setId(id).setState(TransferState.TRANSFER_STATE_POSTED).setReplayed(replayed)
                .setCreatedAt(LedgerProtos.timestamp(APPLIED_AT)).build();
    }

    @Test
    void aTransferGoesOutTypedWithTheServiceTokenAndComesBackTyped() {
        fake.answer = attempt -> posted("unbond:42", false);
        var result = client.transfer(transfer()).await().atMost(Duration.ofSeconds(10));
        assertThat(result).isEqualTo(new LedgerResults.Transferred("unbond:42", State.POSTED, APPLIED_AT, false));
        TransferRequest sent = (TransferRequest) fake.calls.get(0).request();
        assertThat(sent.getId()).isEqualTo("unbond:42");
        assertThat(sent.getDebit().getOwner()).isEqualTo("alice");
        assertThat(sent.getDebit().getKind()).isEqualTo(AccountKind.ACCOUNT_KIND_UNBONDING);
        assertThat(sent.getCredit().getKind()).isEqualTo(AccountKind.ACCOUNT_KIND_USER);
        assertThat(sent.getToken()).isEqualTo("FLOCK");
        assertThat(sent.getAmount()).isEqualTo("1.5");
        assertThat(sent.getCode()).isEqualTo("UNSTAKE_RELEASE");
        assertThat(sent.getReference()).isEqualTo("stake:42");
        assertThat(fake.calls.get(0).authorization()).isEqualTo("Bearer service-token");
    }

    @Test
    void abortedAndUnavailableAreRetriedWithTheSameIdUntilTheLedgerAnswers() {
        fake.answer = attempt -> switch (attempt) {
            case 1 -> throw Status.ABORTED.withDescription("CONFLICT: serialization").asRuntimeException();
            case 2 -> throw Status.UNAVAILABLE.withDescription("down").asRuntimeException();
            default -> posted("unbond:42", true);
        };
        var result = client.transfer(transfer()).await().atMost(Duration.ofSeconds(10));
        assertThat(result.replayed()).isTrue();
        assertThat(result.createdAt()).as("a replay answers the first application's time").isEqualTo(APPLIED_AT);
        assertThat(fake.calls).hasSize(3);
        assertThat(fake.calls).allSatisfy(c -> {
            assertThat(((TransferRequest) c.request()).getId()).isEqualTo("unbond:42");
            assertThat(c.authorization()).isEqualTo("Bearer service-token");
        });
    }

    @Test
    void aRefusalPassesThroughAtOnceAsTheStatusItIs() {
        fake.answer = attempt -> {
            throw ErrorCode.INSUFFICIENT_BALANCE.status("account (alice, USER) has 0 FLOCK available");
        };
        assertThatThrownBy(() -> client.transfer(transfer()).await().atMost(Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
                    assertThat(LedgerClient.refusal(e)).contains(ErrorCode.INSUFFICIENT_BALANCE);
                });
        assertThat(fake.calls).hasSize(1);
    }

    @Test
    void aTransientFailureThatLastsFailsAfterTheAttemptsAndAnExpiredDeadlineIsNotRetried() {
        client.attempts = 3;
        fake.answer = attempt -> {
            throw Status.UNAVAILABLE.asRuntimeException();
        };
        assertThatThrownBy(() -> client.transfer(transfer()).await().atMost(Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        assertThat(fake.calls).hasSize(3);

        fake.calls.clear();
        fake.attempts.set(0);
        client.deadline = Duration.ofMillis(200);
        fake.answer = attempt -> {
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return posted("late", false);
        };
        assertThatThrownBy(() -> client.transfer(transfer()).await().atMost(Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
        assertThat(fake.calls).hasSize(1);
    }

    @Test
    void aBatchMapsEveryOperationAndItsResultsAndTheBlockingFormRetriesToo() {
        List<LedgerOp> ops = List.of(
                new LedgerOp.RegisterModelToken("QWEN", "dep-1"),
                new LedgerOp.MintModelToken("launch:o1:mint", "QWEN", LedgerAccount.of("o1", Kind.OFFERING_ESCROW), "offering:o1"),
                new LedgerOp.PostPending("close:o1:post:7", "contribution:o1:abc", Token.FLOCK, BigInteger.TEN.pow(18)),
                new LedgerOp.VoidPending("close:o1:void:8", "contribution:o1:def"),
                LedgerOp.PostPending.all("close:o1:post:9", "contribution:o1:ghi"),
                new LedgerOp.CreatePending("hold:1", LedgerAccount.user("bob"), LedgerAccount.of("o1", Kind.OFFERING_ESCROW),
                        Token.USDC, BigInteger.valueOf(2_500_000), "OFFERING_CONTRIBUTION", null,
                        Instant.parse("2026-12-31T00:00:00Z")),
                transfer());
        Instant committed = Instant.parse("2026-12-03T10:00:00.123Z");
        fake.answer = attempt -> {
            if (attempt == 1) {
                throw Status.ABORTED.asRuntimeException();
            }
            return SubmitBatchResult.newBuilder().setBatchId("launch:o1").setReplayed(false)
                    .setCommittedAt(LedgerProtos.timestamp(committed))
                    .addResults(BatchOperationResult.newBuilder().setToken(io.fomo.grpc.treasury.v1.Token.newBuilder().setSymbol("QWEN")))
                    .addResults(BatchOperationResult.newBuilder().setTransfer(posted("unbond:42", false)))
                    .addResults(BatchOperationResult.newBuilder().setPending(PendingTransfer.newBuilder()
                            .setOperationId("hold:1").setPendingId("hold:1").setToken("USDC")
                            .setState(TransferState.TRANSFER_STATE_PENDING)))
                    .build();
        };
        var batch = client.submitBatchBlocking("launch:o1", ops);
        assertThat(batch.committedAt()).isEqualTo(committed);
        assertThat(batch.replayed()).isFalse();
        assertThat(batch.results()).containsExactly(new LedgerResults.OperationResult("QWEN", null),
                new LedgerResults.OperationResult("unbond:42", State.POSTED),
                new LedgerResults.OperationResult("hold:1", State.PENDING));
        assertThat(fake.calls).hasSize(2);
        SubmitBatchRequest sent = (SubmitBatchRequest) fake.calls.get(1).request();
        assertThat(sent.getBatchId()).isEqualTo("launch:o1");
        assertThat(sent.getOperations(0).getRegisterToken().getDeploymentId()).isEqualTo("dep-1");
        assertThat(sent.getOperations(1).getMintModelToken().getCredit().getKind())
                .isEqualTo(AccountKind.ACCOUNT_KIND_OFFERING_ESCROW);
        assertThat(sent.getOperations(2).getPostPending().getAmount()).isEqualTo("1");
        assertThat(sent.getOperations(3).getVoidPending().getPendingId()).isEqualTo("contribution:o1:def");
        assertThat(sent.getOperations(4).getPostPending().hasAmount()).isFalse();
        assertThat(sent.getOperations(5).getCreatePending().getAmount()).isEqualTo("2.5");
        assertThat(LedgerProtos.instant(sent.getOperations(5).getCreatePending().getExpiresAt()))
                .isEqualTo(Instant.parse("2026-12-31T00:00:00Z"));
        assertThat(sent.getOperations(6).getTransfer().getId()).isEqualTo("unbond:42");
        assertThat(fake.calls.get(1).authorization()).isEqualTo("Bearer service-token");
    }

    @Test
    void anAccountReadsInBaseUnitsSignedAndTheRefusedOperationOfABatchIsNamed() {
        fake.answer = attempt -> Account.newBuilder().setOwner("protocol").setToken("USDC")
                .setBalance("-1000000.5").setAvailable("-1000000.5").setPendingDebits("0").build();
        var state = client.account(LedgerAccount.protocol(Kind.ISSUER), Token.USDC).await().atMost(Duration.ofSeconds(10));
        assertThat(state.balance()).isEqualTo(BigInteger.valueOf(-1_000_000_500_000L));
        assertThat(state.pendingCredits()).isZero();
        assertThat(((GetAccountRequest) fake.calls.get(0).request()).getAccount().getKind())
                .isEqualTo(AccountKind.ACCOUNT_KIND_ISSUER);

        var refused = ErrorCode.INVALID_ACCOUNT.status("operation 3 (id x): debit and credit are the same account");
        assertThat(LedgerClient.refusedOperation(refused)).hasValue(3);
        assertThat(LedgerClient.refusedOperation(ErrorCode.INSUFFICIENT_BALANCE.status("operation 3"))).isEmpty();
        assertThat(LedgerClient.refusedOperation(new IllegalStateException("operation 3"))).isEmpty();
    }

    @Test
    void pendingTransfersIntoAnAccountArePagedTyped() {
        PendingTransfer orphan = PendingTransfer.newBuilder().setPendingId("contribution:o1:abc").setOperationId("contribution:o1:abc")
                .setState(TransferState.TRANSFER_STATE_PENDING)
                .setDebit(io.fomo.grpc.treasury.v1.AccountRef.newBuilder().setOwner("carol").setKind(AccountKind.ACCOUNT_KIND_USER))
                .setCredit(io.fomo.grpc.treasury.v1.AccountRef.newBuilder().setOwner("o1")
                        .setKind(AccountKind.ACCOUNT_KIND_OFFERING_ESCROW))
                .setToken("FLOCK").setAmount("1.5").setPostedAmount("0").setCode("OFFERING_CONTRIBUTION")
                .setCreatedAt(LedgerProtos.timestamp(APPLIED_AT)).build();
        fake.answer = attempt -> attempt == 1
                ? ListPendingResponse.newBuilder().addPending(orphan).setNextPageToken("contribution:o1:abc").build()
                : ListPendingResponse.newBuilder().build();
        LedgerAccount escrow = LedgerAccount.of("o1", Kind.OFFERING_ESCROW);

        var first = client.pendingInto(escrow, Token.FLOCK, State.PENDING, null, 2).await().atMost(Duration.ofSeconds(10));
        assertThat(first.items()).singleElement().satisfies(p -> {
            assertThat(p.pendingId()).isEqualTo("contribution:o1:abc");
            assertThat(p.debit()).isEqualTo(LedgerAccount.user("carol"));
            assertThat(p.credit()).isEqualTo(escrow);
            assertThat(p.state()).isEqualTo(State.PENDING);
            assertThat(p.units()).isEqualTo(ONE_AND_A_HALF_FLOCK);
            assertThat(p.postedUnits()).isZero();
            assertThat(p.reference()).isNull();
            assertThat(p.createdAt()).isEqualTo(APPLIED_AT);
        });
        assertThat(first.last()).isFalse();
        var second = client.pendingInto(escrow, Token.FLOCK, null, first.nextPageToken(), 1000)
                .await().atMost(Duration.ofSeconds(10));
        assertThat(second.items()).isEmpty();
        assertThat(second.last()).isTrue();

        ListPendingRequest sent = (ListPendingRequest) fake.calls.get(0).request();
        assertThat(sent.getAccount().getKind()).isEqualTo(AccountKind.ACCOUNT_KIND_OFFERING_ESCROW);
        assertThat(sent.getToken()).isEqualTo("FLOCK");
        assertThat(sent.getState()).isEqualTo(TransferState.TRANSFER_STATE_PENDING);
        assertThat(sent.getPageToken()).isEmpty();
        assertThat(sent.getLimit()).isEqualTo(2);
        ListPendingRequest next = (ListPendingRequest) fake.calls.get(1).request();
        assertThat(next.getState()).isEqualTo(TransferState.TRANSFER_STATE_UNSPECIFIED);
        assertThat(next.getPageToken()).isEqualTo("contribution:o1:abc");
        assertThat(fake.calls.get(1).authorization()).isEqualTo("Bearer service-token");
        assertThatThrownBy(() -> client.pendingInto(escrow, Token.FLOCK, null, null, 1001))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
