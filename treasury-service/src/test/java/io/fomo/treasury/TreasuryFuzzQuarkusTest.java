package io.fomo.treasury;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Timestamp;

import io.fomo.grpc.treasury.v1.AccountKind;
import io.fomo.grpc.treasury.v1.AccountRef;
import io.fomo.grpc.treasury.v1.BatchOperation;
import io.fomo.grpc.treasury.v1.CreatePendingRequest;
import io.fomo.grpc.treasury.v1.GetAccountRequest;
import io.fomo.grpc.treasury.v1.GetBalancesRequest;
import io.fomo.grpc.treasury.v1.GetPendingRequest;
import io.fomo.grpc.treasury.v1.GetTokenRequest;
import io.fomo.grpc.treasury.v1.LedgerGrpc;
import io.fomo.grpc.treasury.v1.MintModelTokenOp;
import io.fomo.grpc.treasury.v1.PostPendingRequest;
import io.fomo.grpc.treasury.v1.RegisterModelTokenRequest;
import io.fomo.grpc.treasury.v1.SubmitBatchRequest;
import io.fomo.grpc.treasury.v1.TransferRequest;
import io.fomo.grpc.treasury.v1.VoidPendingRequest;
import io.fomo.testkit.Hostile;
import io.fomo.testkit.KeycloakTokens;
import io.fomo.testkit.TestDatabase;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;

/**
 * Issue 17 acceptance, "a fuzz test per service": at least 200 malformed requests per state-changing endpoint of the
 * treasury ({@code POST /api/v1/deposits}, {@code POST /api/v1/markets/{poolId}/swaps}) and per Ledger gRPC method,
 * from {@link Hostile} (wrong JSON types, control characters, huge/negative/fractional numbers, missing and unknown
 * fields, unknown ids, oversized bodies) with a fixed seed. Each answer is a 4xx / INVALID_ARGUMENT / NOT_FOUND /
 * FAILED_PRECONDITION / PERMISSION_DENIED (or ALREADY_EXISTS, the ledger's refusal of a reused id), never a 5xx or
 * INTERNAL; a refused request leaves the journal, accounts, pending transfers, tokens, batches, swaps, idempotency
 * records and the outbox as they were. (A mutation that happens to be valid may succeed; it is then counted, not
 * failed.)
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class TreasuryFuzzQuarkusTest {

    static final long SEED = 17L;
    static final int PER_METHOD = 200;

    /** Every table a refused request must leave alone. */
    static final String WRITTEN = "SELECT (SELECT count(*) FROM ledger_transfer), (SELECT count(*) FROM ledger_account),"
            + " (SELECT count(*) FROM ledger_pending), (SELECT count(*) FROM ledger_token),"
            + " (SELECT count(*) FROM ledger_batch), (SELECT count(*) FROM market_swap),"
            + " (SELECT count(*) FROM market_liquidity),"
            + " (SELECT count(*) FROM fomo_outbox), (SELECT count(*) FROM fomo_idempotency),"
            + " (SELECT sum(debits_posted) || '/' || sum(credits_posted) || '/' || sum(debits_pending) || '/' || sum(credits_pending) FROM ledger_account)";

    /** The refusals of ledger.proto; RESOURCE_EXHAUSTED only for a message over the 16 MB inbound limit (413). */
    static final Set<Status.Code> REFUSALS = EnumSet.of(Status.Code.INVALID_ARGUMENT, Status.Code.NOT_FOUND,
            Status.Code.FAILED_PRECONDITION, Status.Code.PERMISSION_DENIED, Status.Code.ALREADY_EXISTS,
            Status.Code.RESOURCE_EXHAUSTED);

    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    @Inject
    Pool pool;

    @GrpcClient("ledger")
    LedgerGrpc.LedgerBlockingStub client;

    LedgerGrpc.LedgerBlockingStub ledger;
    LedgerGrpc.LedgerBlockingStub outsider;
    Random random;

    @BeforeEach
    void callers() {
        // treasury-service passes the allow-list in %test, so its requests reach the ledger's own checks.
        ledger = as(KeycloakTokens.service("treasury-service"));
        outsider = as(KeycloakTokens.service("api-platform"));
        random = new Random(SEED);
    }

    LedgerGrpc.LedgerBlockingStub as(String token) {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + token);
        return client.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    String written() {
        Row r = pool.query(WRITTEN).execute().await().indefinitely().iterator().next();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < r.size(); i++) {
            b.append(r.getValue(i)).append(' ');
        }
        return b.toString();
    }

    static String subject(String user) {
        try {
            byte[] payload = Base64.getUrlDecoder().decode(KeycloakTokens.user(user).split("\\.")[1]);
            return new ObjectMapper().readTree(payload).get("sub").asText();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ REST

    int rest(String what, List<String> bodies, Function<String, Response> post) {
        int served = 0;
        for (String body : bodies) {
            String before = written();
            Response r = post.apply(body);
            int status = r.statusCode();
            String shown = body.length() > 200 ? body.substring(0, 200) + "..." : body;
            assertThat(status).as("%s %s answered %s", what, shown, r.asString()).isLessThan(500).isNotIn(401, 403);
            if (status >= 400) {
                assertThat(written()).as("%s %s wrote something", what, shown).isEqualTo(before);
            } else {
                served++;
            }
        }
        return served;
    }

    @Test
    void malformedDepositsAre4xxAndWriteNothing() {
        String op = KeycloakTokens.user("op");
        Map<String, Object> valid = Map.of("depositId", "fuzz-" + UUID.randomUUID(), "userId", subject("carol"),
                "token", "USDC", "amount", "1");
        List<String> bodies = Hostile.bodies(valid, 250, SEED);
        assertThat(bodies).hasSizeGreaterThanOrEqualTo(PER_METHOD);
        int served = rest("deposit", bodies, body -> given().auth().oauth2(op).contentType("application/json")
                .body(body).post("/api/v1/deposits"));
        assertThat(served).as("valid by chance").isLessThan(bodies.size() / 10);
    }

    @Test
    void malformedSwapsAre4xxAndWriteNothing() {
        String bob = KeycloakTokens.user("bob");
        given().auth().oauth2(KeycloakTokens.user("op")).contentType("application/json")
                .body(Map.of("depositId", "fuzz-swap-" + UUID.randomUUID(), "userId", subject("bob"), "token", "USDC",
                        "amount", "1000"))
                .post("/api/v1/deposits").then().statusCode(201);
        Map<String, Object> valid = Map.of("tokenIn", "USDC", "amountIn", "0.01", "minAmountOut", "0",
                "idempotencyKey", "fuzz-" + UUID.randomUUID(), "deadline", "2999-01-01T00:00:00Z");
        List<String> bodies = Hostile.bodies(valid, 250, SEED);
        assertThat(bodies).hasSizeGreaterThanOrEqualTo(PER_METHOD);
        int served = rest("swap", bodies, body -> given().auth().oauth2(bob).contentType("application/json")
                .body(body).post("/api/v1/markets/FLOCK-USDC/swaps"));
        assertThat(served).as("valid by chance").isLessThan(bodies.size() / 10);
        // A valid body to pools that do not exist, named by hostile path segments.
        String body = Hostile.json(Map.of("tokenIn", "USDC", "amountIn", "0.01", "minAmountOut", "0",
                "idempotencyKey", "fuzz-" + UUID.randomUUID()));
        List<String> paths = new ArrayList<>();
        Hostile.pathSegments().forEach(p -> paths.add(p));
        assertThat(rest("swap path", paths, p -> given().auth().oauth2(bob).contentType("application/json")
                .body(body).urlEncodingEnabled(false).post("/api/v1/markets/" + p + "/swaps"))).isZero();
    }

    /** Issue #21: adds and removals of liquidity, user bodies and the operator's locked removal. */
    @Test
    void malformedLiquidityChangesAre4xxAndWriteNothing() {
        String bob = KeycloakTokens.user("bob");
        for (String token : List.of("USDC", "FLOCK")) {
            given().auth().oauth2(KeycloakTokens.user("op")).contentType("application/json")
                    .body(Map.of("depositId", "fuzz-lp-" + token + "-" + UUID.randomUUID(), "userId", subject("bob"),
                            "token", token, "amount", "1000"))
                    .post("/api/v1/deposits").then().statusCode(201);
        }
        Map<String, Object> add = Map.of("baseAmount", "1", "quoteAmount", "0.5", "minShares", "0",
                "idempotencyKey", "fuzz-" + UUID.randomUUID(), "deadline", "2999-01-01T00:00:00Z");
        List<String> adds = Hostile.bodies(add, 250, SEED);
        assertThat(adds).hasSizeGreaterThanOrEqualTo(PER_METHOD);
        int served = rest("add liquidity", adds, body -> given().auth().oauth2(bob).contentType("application/json")
                .body(body).post("/api/v1/markets/FLOCK-USDC/liquidity"));
        assertThat(served).as("valid by chance").isLessThan(adds.size() / 10);

        Map<String, Object> remove = Map.of("shares", "0.000000000001", "minBaseAmount", "0", "minQuoteAmount", "0",
                "idempotencyKey", "fuzz-" + UUID.randomUUID());
        List<String> removes = Hostile.bodies(remove, 250, SEED + 1);
        assertThat(removes).hasSizeGreaterThanOrEqualTo(PER_METHOD);
        served = rest("remove liquidity", removes, body -> given().auth().oauth2(bob).contentType("application/json")
                .body(body).post("/api/v1/markets/FLOCK-USDC/liquidity/removals"));
        assertThat(served).as("valid by chance").isLessThan(removes.size() / 10);

        // The genesis pool's shares are locked for good: every locked removal is refused, whatever its body.
        Map<String, Object> locked = Map.of("shares", "1", "idempotencyKey", "fuzz-" + UUID.randomUUID());
        List<String> lockedBodies = Hostile.bodies(locked, 250, SEED + 2);
        String op = KeycloakTokens.user("op");
        assertThat(rest("locked removal", lockedBodies, body -> given().auth().oauth2(op)
                .contentType("application/json").body(body)
                .post("/api/v1/markets/FLOCK-USDC/locked-liquidity/removals"))).isZero();
    }

    // ------------------------------------------------------------------ gRPC

    String hostile() {
        List<String> strings = Hostile.strings();
        return strings.get(random.nextInt(strings.size()));
    }

    AccountRef account() {
        AccountRef.Builder b = AccountRef.newBuilder().setOwner("fuzz-" + UUID.randomUUID())
                .setKind(AccountKind.ACCOUNT_KIND_USER);
        switch (random.nextInt(5)) {
            case 0 -> b.setOwner(hostile());
            case 1 -> b.setKindValue(random.nextInt(40) - 5);
            case 2 -> b.setKind(AccountKind.values()[random.nextInt(AccountKind.values().length - 1)]);
            case 3 -> b.clearOwner();
            default -> { }
        }
        return b.build();
    }

    String maybe(String fine) {
        return random.nextInt(3) == 0 ? hostile() : fine;
    }

    Timestamp timestamp() {
        List<Long> longs = Hostile.longs();
        return Timestamp.newBuilder().setSeconds(longs.get(random.nextInt(longs.size())))
                .setNanos(random.nextInt(3) == 0 ? -1 - random.nextInt(5) : random.nextInt(1_000_000_000)).build();
    }

    TransferRequest transfer() {
        TransferRequest.Builder b = TransferRequest.newBuilder().setId(maybe("fuzz-" + UUID.randomUUID()))
                .setDebit(account()).setCredit(account()).setToken(maybe("USDC")).setAmount(maybe("1"))
                .setCode(maybe("TEST")).setReference(maybe(""));
        if (random.nextInt(6) == 0) {
            b.clearDebit();
        }
        return b.build();
    }

    CreatePendingRequest createPending() {
        CreatePendingRequest.Builder b = CreatePendingRequest.newBuilder().setId(maybe("fuzz-" + UUID.randomUUID()))
                .setDebit(account()).setCredit(account()).setToken(maybe("FLOCK")).setAmount(maybe("0.5"))
                .setCode(maybe("TEST"));
        if (random.nextBoolean()) {
            b.setExpiresAt(timestamp());
        }
        return b.build();
    }

    PostPendingRequest postPending() {
        PostPendingRequest.Builder b = PostPendingRequest.newBuilder().setId(maybe("fuzz-" + UUID.randomUUID()))
                .setPendingId(random.nextBoolean() ? hostile() : "fuzz-" + UUID.randomUUID());
        if (random.nextBoolean()) {
            b.setAmount(hostile());
        }
        return b.build();
    }

    VoidPendingRequest voidPending() {
        return VoidPendingRequest.newBuilder().setId(maybe("fuzz-" + UUID.randomUUID()))
                .setPendingId(random.nextBoolean() ? hostile() : "fuzz-" + UUID.randomUUID()).build();
    }

    RegisterModelTokenRequest registerToken() {
        return RegisterModelTokenRequest.newBuilder().setSymbol(hostile())
                .setDeploymentId(maybe("fuzz-" + UUID.randomUUID())).build();
    }

    BatchOperation operation() {
        BatchOperation.Builder b = BatchOperation.newBuilder();
        switch (random.nextInt(7)) {
            case 0 -> b.setTransfer(transfer());
            case 1 -> b.setCreatePending(createPending());
            case 2 -> b.setPostPending(postPending());
            case 3 -> b.setVoidPending(voidPending());
            case 4 -> b.setRegisterToken(registerToken());
            case 5 -> b.setMintModelToken(MintModelTokenOp.newBuilder().setId(maybe("fuzz-" + UUID.randomUUID()))
                    .setSymbol(random.nextBoolean() ? hostile() : "FLOCK").setCredit(account()));
            default -> { } // an operation with nothing set
        }
        return b.build();
    }

    SubmitBatchRequest batch() {
        SubmitBatchRequest.Builder b = SubmitBatchRequest.newBuilder().setBatchId(maybe("fuzz-" + UUID.randomUUID()));
        int kind = random.nextInt(20);
        if (kind == 0) {
            // One operation more than the contract's 10,000.
            BatchOperation one = BatchOperation.newBuilder().setVoidPending(VoidPendingRequest.newBuilder()
                    .setId("fuzz-big").setPendingId("fuzz-none")).build();
            for (int i = 0; i < 10_001; i++) {
                b.addOperations(one);
            }
        } else if (kind == 1) {
            // A message over the server's 16 MB inbound limit (the gRPC form of 413).
            BatchOperation fat = BatchOperation.newBuilder().setTransfer(TransferRequest.newBuilder()
                    .setId("fuzz-fat").setReference("x".repeat(100_000))).build();
            for (int i = 0; i < 200; i++) {
                b.addOperations(fat);
            }
        } else {
            for (int i = random.nextInt(4); i > 0; i--) {
                b.addOperations(operation());
            }
        }
        return b.build();
    }

    void grpc(String method, Supplier<Object> request, Function<Object, Object> call) {
        int served = 0;
        for (int i = 0; i < PER_METHOD; i++) {
            Object r = request.get();
            boolean outside = i % 10 == 9;
            String before = written();
            try {
                if (outside) {
                    callAs(outsider, method, r);
                } else {
                    call.apply(r);
                }
                served++;
                assertThat(outside).as("%s served api-platform", method).isFalse();
            } catch (StatusRuntimeException e) {
                String shown = String.valueOf(r);
                shown = shown.length() > 300 ? shown.substring(0, 300) + "..." : shown;
                assertThat(e.getStatus().getCode()).as("%s %s -> %s", method, shown, e.getStatus())
                        .isIn(REFUSALS);
                if (e.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED) {
                    assertThat(((com.google.protobuf.Message) r).getSerializedSize()).isGreaterThan(16 << 20);
                }
                assertThat(written()).as("%s %s wrote something", method, shown).isEqualTo(before);
            }
        }
        if (!method.startsWith("Get")) {
            assertThat(served).as("%s valid by chance", method).isLessThan(PER_METHOD / 5);
        }
    }

    Object callAs(LedgerGrpc.LedgerBlockingStub s, String method, Object r) {
        return switch (method) {
            case "Transfer" -> s.transfer((TransferRequest) r);
            case "CreatePending" -> s.createPending((CreatePendingRequest) r);
            case "PostPending" -> s.postPending((PostPendingRequest) r);
            case "VoidPending" -> s.voidPending((VoidPendingRequest) r);
            case "SubmitBatch" -> s.submitBatch((SubmitBatchRequest) r);
            case "RegisterModelToken" -> s.registerModelToken((RegisterModelTokenRequest) r);
            case "GetToken" -> s.getToken((GetTokenRequest) r);
            case "GetBalances" -> s.getBalances((GetBalancesRequest) r);
            case "GetAccount" -> s.getAccount((GetAccountRequest) r);
            case "GetPending" -> s.getPending((GetPendingRequest) r);
            default -> throw new IllegalArgumentException(method);
        };
    }

    void grpc(String method, Supplier<Object> request) {
        grpc(method, request, r -> callAs(ledger, method, r));
    }

    @Test
    void malformedLedgerCallsAreRefusedAndWriteNothing() {
        grpc("Transfer", this::transfer);
        grpc("CreatePending", this::createPending);
        grpc("PostPending", this::postPending);
        grpc("VoidPending", this::voidPending);
        grpc("SubmitBatch", this::batch);
        grpc("RegisterModelToken", this::registerToken);
        grpc("GetToken", () -> GetTokenRequest.newBuilder().setSymbol(hostile()).build());
        grpc("GetBalances", () -> GetBalancesRequest.newBuilder().setOwner(random.nextBoolean() ? hostile() : "")
                .setToken(maybe("")).build());
        grpc("GetAccount", () -> GetAccountRequest.newBuilder().setAccount(account()).setToken(hostile()).build());
        grpc("GetPending", () -> GetPendingRequest.newBuilder().setPendingId(hostile()).build());
    }
}
