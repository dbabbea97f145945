package io.fomo.billing.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.fomo.grpc.billing.v1.AuthorizeRequest;
import io.fomo.grpc.billing.v1.AuthorizeResponse;
import io.fomo.grpc.billing.v1.BillingGrpc;
import io.fomo.grpc.billing.v1.CaptureRequest;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.MetadataUtils;

/**
 * Load generator for {@code bench/billing-bench.sh} (not a test): Authorize + Capture pairs through the
 * {@code fomo.billing.v1.Billing} gRPC service with the API platform's token, {@code callers} concurrent callers in a
 * closed loop (each sends its next pair when the last one answered), users picked at random from {@code users}
 * pre-funded wallets ({@code bench-u<i>}), for each concurrency in turn. Prints one {@code RESULT} line per phase:
 * {@code RESULT callers=<n> pairs=<n> seconds=<s> pairs_per_s=<x> p50_ms=<x> p99_ms=<x> failures=<n>}
 * (latency of the whole pair, Authorize sent to Capture answered).
 *
 * <p>Arguments ({@code --name value}): host, port, token, deployment, seconds (per phase, default 15),
 * callers (comma-separated, default 16,64,128), users (default 10000), warmup-seconds (default 5), mode ({@code pairs}, or
 * {@code floor}: each "pair" is two empty Health/Check calls, the gRPC stack's own cost; prints {@code FLOOR} lines).
 */
public final class BillingBench {

    private final BillingGrpc.BillingBlockingStub billing;
    private final String deployment;
    private final int users;
    private final String run = Long.toString(System.currentTimeMillis(), 36);

    /** {@code --mode floor}: the same closed loop, each "pair" two empty gRPC calls (Health/Check, no auth, no database). */
    private final grpc.health.v1.HealthGrpc.HealthBlockingStub health;
    private final boolean floor;

    private BillingBench(BillingGrpc.BillingBlockingStub billing, grpc.health.v1.HealthGrpc.HealthBlockingStub health,
            boolean floor, String deployment, int users) {
        this.billing = billing;
        this.health = health;
        this.floor = floor;
        this.deployment = deployment;
        this.users = users;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        String host = a.getOrDefault("host", "localhost");
        int port = Integer.parseInt(a.getOrDefault("port", "9083"));
        String token = a.get("token");
        String deployment = a.get("deployment");
        int seconds = Integer.parseInt(a.getOrDefault("seconds", "15"));
        int users = Integer.parseInt(a.getOrDefault("users", "10000"));
        int warmup = Integer.parseInt(a.getOrDefault("warmup-seconds", "5"));
        int[] callers = Arrays.stream(a.getOrDefault("callers", "16,64,128").split(",")).mapToInt(Integer::parseInt).toArray();

        ManagedChannel channel = ManagedChannelBuilder.forAddress(host, port).usePlaintext().build();
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        boolean floor = "floor".equals(a.getOrDefault("mode", "pairs"));
        BillingBench bench = new BillingBench(BillingGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers)),
                grpc.health.v1.HealthGrpc.newBlockingStub(channel), floor, deployment, users);
        try {
            bench.phase("warmup", callers[0], warmup);
            for (int c : callers) {
                bench.phase("pairs", c, seconds);
            }
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** One Authorize (worst case 2,000 in + 500 out) and its Capture (actual 1,500 in + 300 out). */
    private void pair() {
        if (floor) {
            health.check(grpc.health.v1.HealthOuterClass.HealthCheckRequest.getDefaultInstance());
            health.check(grpc.health.v1.HealthOuterClass.HealthCheckRequest.getDefaultInstance());
            return;
        }
        String user = "bench-u" + ThreadLocalRandom.current().nextInt(users);
        String id = run + "-" + UUID.randomUUID();
        AuthorizeResponse hold = billing.authorize(AuthorizeRequest.newBuilder().setRequestId(id).setUserId(user)
                .setDeploymentId(deployment).setMaxInputTokens(2_000).setMaxOutputTokens(500).build());
        billing.capture(CaptureRequest.newBuilder().setRequestId(id).setHoldId(hold.getHoldId())
                .setInputTokens(1_500).setOutputTokens(300).build());
    }

    private void phase(String name, int callers, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        AtomicLong failures = new AtomicLong();
        List<Future<long[]>> futures = new ArrayList<>();
        long start = System.nanoTime();
        for (int c = 0; c < callers; c++) {
            futures.add(pool.submit(() -> {
                long[] latencies = new long[1 << 12];
                int n = 0;
                while (System.nanoTime() < deadline) {
                    long t0 = System.nanoTime();
                    try {
                        pair();
                    } catch (RuntimeException e) {
                        if (failures.incrementAndGet() <= 3) {
                            System.err.println(name + ": " + e);
                        }
                        continue;
                    }
                    if (n == latencies.length) {
                        latencies = Arrays.copyOf(latencies, n * 2);
                    }
                    latencies[n++] = System.nanoTime() - t0;
                }
                return Arrays.copyOf(latencies, n);
            }));
        }
        List<long[]> all = new ArrayList<>();
        for (Future<long[]> f : futures) {
            all.add(f.get());
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        long[] merged = all.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        if (!"warmup".equals(name)) {
            System.out.printf(java.util.Locale.ROOT,
                    (floor ? "FLOOR" : "RESULT") + " callers=%d pairs=%d seconds=%.1f pairs_per_s=%.1f p50_ms=%.2f p99_ms=%.2f failures=%d%n",
                    callers, merged.length, elapsed, merged.length / elapsed, percentile(merged, 0.50),
                    percentile(merged, 0.99), failures.get());
        } else {
            System.out.printf(java.util.Locale.ROOT, "warmup: %d pairs in %.1f s, %d failures%n", merged.length, elapsed, failures.get());
        }
    }

    private static double percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }
}
