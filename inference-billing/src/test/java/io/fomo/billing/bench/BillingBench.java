package io.fomo.billing.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.fomo.grpc.billing.v1.AuthorizeRequest;
import io.fomo.grpc.billing.v1.BillingGrpc;
import io.fomo.grpc.billing.v1.CaptureRequest;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;

/**
 * Load generator for {@code bench/billing-bench.sh} (not a test): Authorize + Capture pairs through the
 * {@code fomo.billing.v1.Billing} gRPC service with the API platform's token, {@code callers} concurrent callers in a
 * closed loop (each sends its next pair when the last one answered), users picked at random from {@code users}
 * pre-funded wallets ({@code bench-u<i>}), for each concurrency in turn. The callers are chains of callbacks on async
 * stubs, not threads (as pgbench's client is one process for all its clients), so the load generator costs the shared
 * cores as little as it can. Prints one {@code RESULT} line per phase:
 * {@code RESULT callers=<n> pairs=<n> seconds=<s> pairs_per_s=<x> p50_ms=<x> p99_ms=<x> failures=<n>}
 * (latency of the whole pair, Authorize sent to Capture answered).
 *
 * <p>Arguments ({@code --name value}): host, port, token, deployment, seconds (per phase, default 15),
 * callers (comma-separated, default 16,64,128), users (default 10000), warmup-seconds (default 5), mode ({@code pairs}, or
 * {@code floor}: each "pair" is two empty Health/Check calls, the gRPC stack's own cost; prints {@code FLOOR} lines).
 */
public final class BillingBench {

    private final BillingGrpc.BillingStub billing;
    private final String deployment;
    private final int users;
    private final String run = Long.toString(System.currentTimeMillis(), 36);

    /** {@code --mode floor}: the same closed loop, each "pair" two empty gRPC calls (Health/Check, no auth, no database). */
    private final grpc.health.v1.HealthGrpc.HealthStub health;
    private final boolean floor;

    private BillingBench(BillingGrpc.BillingStub billing, grpc.health.v1.HealthGrpc.HealthStub health,
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

        ManagedChannel channel = ManagedChannelBuilder.forAddress(host, port).usePlaintext().directExecutor().build();
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        boolean floor = "floor".equals(a.getOrDefault("mode", "pairs"));
        BillingBench bench = new BillingBench(BillingGrpc.newStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers)),
                grpc.health.v1.HealthGrpc.newStub(channel), floor, deployment, users);
        try {
            bench.phase("warmup", callers[0], warmup);
            for (int c : callers) {
                bench.phase("pairs", c, seconds);
            }
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /**
     * One caller of the closed loop, without a thread of its own: its next pair starts in the callback that ends the
     * last one (async stubs on a direct-executor channel), so 64 callers cost no thread switches in the load generator.
     */
    private final class Caller {
        final String name;
        final long deadline;
        final AtomicLong failures;
        final CountDownLatch done;
        long[] latencies = new long[1 << 12];
        int n;
        long t0;

        Caller(String name, long deadline, AtomicLong failures, CountDownLatch done) {
            this.name = name;
            this.deadline = deadline;
            this.failures = failures;
            this.done = done;
        }

        void next() {
            if (System.nanoTime() >= deadline) {
                done.countDown();
                return;
            }
            t0 = System.nanoTime();
            if (floor) {
                var check = grpc.health.v1.HealthOuterClass.HealthCheckRequest.getDefaultInstance();
                health.check(check, observer(first -> health.check(check, observer(second -> finished()))));
                return;
            }
            // One Authorize (worst case 2,000 in + 500 out) and its Capture (actual 1,500 in + 300 out).
            String user = "bench-u" + ThreadLocalRandom.current().nextInt(users);
            String id = run + "-" + UUID.randomUUID();
            billing.authorize(AuthorizeRequest.newBuilder().setRequestId(id).setUserId(user).setDeploymentId(deployment)
                    .setMaxInputTokens(2_000).setMaxOutputTokens(500).build(), observer(hold -> billing.capture(
                            CaptureRequest.newBuilder().setRequestId(id).setHoldId(hold.getHoldId())
                                    .setInputTokens(1_500).setOutputTokens(300).build(), observer(captured -> finished()))));
        }

        void finished() {
            if (n == latencies.length) {
                latencies = Arrays.copyOf(latencies, n * 2);
            }
            latencies[n++] = System.nanoTime() - t0;
            next();
        }

        void failed(Throwable e) {
            if (failures.incrementAndGet() <= 3) {
                System.err.println(name + ": " + e);
            }
            // not in this callback: a call that fails at once would otherwise recurse until the deadline
            java.util.concurrent.CompletableFuture.runAsync(this::next);
        }

        <T> StreamObserver<T> observer(java.util.function.Consumer<T> onAnswer) {
            return new StreamObserver<>() {
                @Override
                public void onNext(T value) {
                    onAnswer.accept(value);
                }

                @Override
                public void onError(Throwable t) {
                    failed(t);
                }

                @Override
                public void onCompleted() {
                }
            };
        }
    }

    private void phase(String name, int callers, int seconds) throws Exception {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(seconds);
        AtomicLong failures = new AtomicLong();
        CountDownLatch done = new CountDownLatch(callers);
        List<Caller> all = new ArrayList<>();
        for (int c = 0; c < callers; c++) {
            all.add(new Caller(name, deadline, failures, done));
        }
        long cpu0 = processCpuNanos();
        all.forEach(Caller::next);
        done.await();
        double elapsed = (System.nanoTime() - start) / 1e9;
        double cpuMs = (processCpuNanos() - cpu0) / 1e6; // this load generator's own CPU in the phase (JVM start excluded)
        long[] merged = all.stream().flatMapToLong(c -> Arrays.stream(c.latencies, 0, c.n)).sorted().toArray();
        if (!"warmup".equals(name)) {
            System.out.printf(java.util.Locale.ROOT,
                    (floor ? "FLOOR" : "RESULT") + " callers=%d pairs=%d seconds=%.1f pairs_per_s=%.1f p50_ms=%.2f p99_ms=%.2f failures=%d loadgen_cpu_ms=%.0f%n",
                    callers, merged.length, elapsed, merged.length / elapsed, percentile(merged, 0.50),
                    percentile(merged, 0.99), failures.get(), cpuMs);
        } else {
            System.out.printf(java.util.Locale.ROOT, "warmup: %d pairs in %.1f s, %d failures%n", merged.length, elapsed, failures.get());
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static double percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }
}
