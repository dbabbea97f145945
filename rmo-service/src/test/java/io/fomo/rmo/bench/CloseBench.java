package io.fomo.rmo.bench;

import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.fomo.grpc.treasury.v1.AccountKind;
import io.fomo.grpc.treasury.v1.AccountRef;
import io.fomo.grpc.treasury.v1.BatchOperation;
import io.fomo.grpc.treasury.v1.CreatePendingRequest;
import io.fomo.grpc.treasury.v1.GetAccountRequest;
import io.fomo.grpc.treasury.v1.LedgerGrpc;
import io.fomo.grpc.treasury.v1.SubmitBatchRequest;
import io.fomo.grpc.treasury.v1.TransferRequest;
import io.fomo.testkit.KeycloakTokens;
import io.fomo.standin.OpenAiStandIn;
import io.fomo.testkit.ServiceProcess;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;

/**
 * Close benchmark (not a test; run by {@code bench/rmo-close-bench.sh}): treasury-service and rmo-service as real
 * processes (rmo with {@code -Xmx384m}, chunk size 10,000), one offering per size N. The N contributors are seeded
 * straight into the ledger (deposit + pending transfer, in batches of 10,000) and into rmo's tables (one SQL
 * statement each), which is set-up, not measured; then the operator's {@code POST /close} is timed while rmo's heap
 * use is sampled from {@code /q/metrics}. Prints one table row per N.
 *
 * <pre>java -cp ... io.fomo.rmo.bench.CloseBench 1000 10000 100000</pre>
 */
public final class CloseBench {

    static final BigInteger E18 = BigInteger.TEN.pow(18);
    static final int BATCH = 10_000;

    public static void main(String[] args) throws Exception {
        List<Integer> sizes = new ArrayList<>();
        for (String a : args) {
            sizes.add(Integer.parseInt(a));
        }
        if (sizes.isEmpty()) {
            sizes = List.of(1_000, 10_000, 100_000);
        }
        String chunk = System.getProperty("chunk", "10000");
        try (ServiceProcess treasury = ServiceProcess.start("treasury", "bench", Map.of());
                OpenAiStandIn host = OpenAiStandIn.start("bench/model")) {
            Map<String, String> cfg = Map.of(
                    "quarkus.grpc.clients.ledger.host", "localhost",
                    "quarkus.grpc.clients.ledger.port", Integer.toString(treasury.grpcPort()),
                    "fomo.rmo.close.chunk-size", chunk, "%test.fomo.rmo.close.chunk-size", chunk,
                    "fomo.rmo.close.interval", "1h", "%test.fomo.rmo.close.interval", "1h",
                    "fomo.rmo.close.lease", "PT10M", "%test.fomo.rmo.close.lease", "PT10M");
            try (ServiceProcess rmo = ServiceProcess.start("rmo", "bench", cfg)) {
                ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", treasury.grpcPort())
                        .usePlaintext().maxInboundMessageSize(64 << 20).build();
                List<String> rows = new ArrayList<>();
                try {
                    for (int n : sizes) {
                        rows.add(run(n, rmo, host, channel));
                    }
                } finally {
                    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                }
                System.out.println();
                System.out.println("| contributors | mode | close (s) | contributors/s | rmo heap used, max sampled (MiB) | -Xmx |");
                System.out.println("|---:|---|---:|---:|---:|---|");
                rows.forEach(System.out::println);
            }
        }
    }

    static LedgerGrpc.LedgerBlockingStub ledger(ManagedChannel channel) {
        // The bench funds its users and seeds their contributions as the treasury (unrestricted in the test profile):
        // rmo-service itself may only do what its ledger rows allow (treasury README, "Who may call the Ledger").
        Metadata m = new Metadata();
        m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
                "Bearer " + KeycloakTokens.service("treasury-service"));
        return LedgerGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m))
                .withDeadlineAfter(300, TimeUnit.SECONDS);
    }

    static String run(int n, ServiceProcess rmo, OpenAiStandIn host, ManagedChannel channel) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String alice = KeycloakTokens.user("alice");
        String op = KeycloakTokens.user("op");
        RestAssured.baseURI = rmo.url();
        String deployment = RestAssured.given().auth().oauth2(alice).contentType(ContentType.JSON)
                .body(Map.of("displayName", "bench", "modelId", "bench/model", "baseUrl", host.baseUrl(),
                        "inputPricePerMillion", "1", "outputPricePerMillion", "1", "inputCostPerMillion", "0",
                        "outputCostPerMillion", "0", "idempotencyKey", "bench-" + run))
                .post("/api/v1/deployments").then().statusCode(201).extract().path("id");
        RestAssured.given().auth().oauth2(alice).post("/api/v1/deployments/" + deployment + "/hosting-checks")
                .then().statusCode(201);
        String symbol = "B" + run.toUpperCase().replaceAll("[^A-Z0-9]", "X");
        String offering = RestAssured.given().auth().oauth2(alice).contentType(ContentType.JSON)
                .body(Map.of("deploymentId", deployment, "symbol", symbol, "price", "0.25", "softCap", "1",
                        "opensAt", Instant.now().minusSeconds(60).toString(),
                        "closesAt", Instant.now().plusSeconds(3600).toString(), "idempotencyKey", "bench-o-" + run))
                .post("/api/v1/offerings").then().statusCode(201).extract().path("id");
        RestAssured.given().auth().oauth2(op).post("/api/v1/offerings/" + offering + "/open").then().statusCode(200);

        // Seed N contributors: amount_i = 1 + (i mod 100) FLOCK (Σ ≈ 50.5 N; H = 100,000 FLOCK).
        long t0 = System.nanoTime();
        for (int from = 0; from < n; from += BATCH) {
            int to = Math.min(n, from + BATCH);
            SubmitBatchRequest.Builder deposits = SubmitBatchRequest.newBuilder().setBatchId("bench:" + run + ":dep:" + from);
            SubmitBatchRequest.Builder pendings = SubmitBatchRequest.newBuilder().setBatchId("bench:" + run + ":pen:" + from);
            for (int i = from; i < to; i++) {
                String user = "bench-" + run + "-" + i;
                String amount = Integer.toString(1 + i % 100);
                deposits.addOperations(BatchOperation.newBuilder().setTransfer(TransferRequest.newBuilder()
                        .setId("bench:" + run + ":dep:" + i).setDebit(ref("protocol", AccountKind.ACCOUNT_KIND_BRIDGE))
                        .setCredit(ref(user, AccountKind.ACCOUNT_KIND_USER)).setToken("FLOCK").setAmount(amount)
                        .setCode("DEPOSIT")));
                pendings.addOperations(BatchOperation.newBuilder().setCreatePending(CreatePendingRequest.newBuilder()
                        .setId("contribution:" + offering + ":b" + i).setDebit(ref(user, AccountKind.ACCOUNT_KIND_USER))
                        .setCredit(ref(offering, AccountKind.ACCOUNT_KIND_OFFERING_ESCROW)).setToken("FLOCK")
                        .setAmount(amount).setCode("OFFERING_CONTRIBUTION")));
            }
            ledger(channel).submitBatch(deposits.build());
            ledger(channel).submitBatch(pendings.build());
        }
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + rmo.database(),
                "fomo_rmo", "fomo_rmo")) {
            exec(c, """
                    INSERT INTO contributor (offering_id, user_id, total, contributions)
                    SELECT ?, 'bench-' || ? || '-' || g, (1 + g % 100) * 1000000000000000000::numeric, 1
                    FROM generate_series(0, ? - 1) g""", offering, run, n);
            exec(c, """
                    INSERT INTO contribution (offering_id, user_id, idem_key, pending_id, amount, cum_before, created_at)
                    SELECT ?, 'bench-' || ? || '-' || g, 'bench', 'contribution:' || ? || ':b' || g,
                           (1 + g % 100) * 1000000000000000000::numeric, 0, now()
                    FROM generate_series(0, ? - 1) g""", offering, run, offering, n);
            exec(c, "UPDATE offering SET closes_at = now() - interval '1 second' WHERE id = ?", offering);
        }
        long seedMs = (System.nanoTime() - t0) / 1_000_000;

        AtomicLong maxHeap = new AtomicLong();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    maxHeap.accumulateAndGet(heapUsed(http, rmo.managementUrl()), Math::max);
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    // a missed sample
                }
            }
        });
        sampler.setDaemon(true);
        sampler.start();
        long start = System.nanoTime();
        HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create(rmo.url() + "/api/v1/offerings/" + offering + "/close"))
                .header("Authorization", "Bearer " + KeycloakTokens.user("op")).timeout(Duration.ofMinutes(30))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        long closeMs = (System.nanoTime() - start) / 1_000_000;
        sampler.interrupt();
        sampler.join();
        if (resp.statusCode() != 200 || !resp.body().contains("\"state\":\"LIVE\"")) {
            throw new IllegalStateException("close of " + n + " failed: " + resp.statusCode() + " " + resp.body());
        }
        String mode = resp.body().contains("OVERSUBSCRIBED") ? "oversubscribed" : "within caps";
        // spot check: the escrow is empty
        var escrow = ledger(channel).getAccount(GetAccountRequest.newBuilder().setToken(symbol)
                .setAccount(ref(offering, AccountKind.ACCOUNT_KIND_OFFERING_ESCROW)).build());
        if (!"0".equals(escrow.getBalance())) {
            throw new IllegalStateException("escrow not empty: " + escrow.getBalance());
        }
        System.err.printf("N=%d: seeded in %.1f s, closed in %.1f s%n", n, seedMs / 1000.0, closeMs / 1000.0);
        return String.format("| %,d | %s | %d.%01d | %,d | %d | 384m |", n, mode, closeMs / 1000, (closeMs % 1000) / 100,
                closeMs == 0 ? 0 : n * 1000L / closeMs, maxHeap.get() >> 20);
    }

    static AccountRef ref(String owner, AccountKind kind) {
        return AccountRef.newBuilder().setOwner(owner).setKind(kind).build();
    }

    static void exec(Connection c, String sql, Object... args) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
        }
    }

    private static final Pattern HEAP = Pattern.compile("^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*\\} ([0-9.E+]+)$",
            Pattern.MULTILINE);

    static long heapUsed(HttpClient http, String url) throws Exception {
        String body = http.send(HttpRequest.newBuilder(URI.create(url + "/q/metrics")).timeout(Duration.ofSeconds(5)).GET()
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = HEAP.matcher(body);
        long sum = 0;
        while (m.find()) {
            sum += new java.math.BigDecimal(m.group(1)).longValue();
        }
        return sum;
    }
}
