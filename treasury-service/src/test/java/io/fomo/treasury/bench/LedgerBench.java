package io.fomo.treasury.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.fomo.grpc.treasury.v1.AccountKind;
import io.fomo.grpc.treasury.v1.AccountRef;
import io.fomo.grpc.treasury.v1.BatchOperation;
import io.fomo.grpc.treasury.v1.LedgerGrpc;
import io.fomo.grpc.treasury.v1.SubmitBatchRequest;
import io.fomo.grpc.treasury.v1.TransferRequest;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;

/**
 * Load generator for {@code bench/ledger-bench.sh} (not a test): USDC transfers between random accounts through
 * the Ledger gRPC service, first one per call ({@code Transfer}) from many concurrent callers, then in atomic
 * batches ({@code SubmitBatch}). Prints one {@code RESULT} line per phase:
 * {@code RESULT <phase> callers=<n> calls=<n> transfers=<n> seconds=<s> calls_per_s=<x> transfers_per_s=<x>
 * p50_ms=<x> p99_ms=<x> failures=<n> service_cpu_ms_per_call=<x> pg_cpu_ms_per_call=<x> loadgen_cpu_ms_per_call=<x>}.
 *
 * <p>Arguments ({@code --name value}): host, port, token (a service access token), seconds (per phase, default 20),
 * single-callers (16), batch-callers (8), batch-size (100), accounts (20000), warmup-seconds (5, for each of the
 * two kinds of call: the JIT compiles the batch path too before it is measured), service-pid (the service's process
 * on this machine: its CPU time, user + system from {@code /proc/<pid>/stat}, is read before and after each phase
 * and divided by the phase's calls; the most robust measure on a shared machine, since it does not depend on what
 * else runs; absent: {@code service_cpu_ms_per_call=NaN}), pg-database (the service's database on a PostgreSQL on this
 * machine: the CPU time of the backends connected to it, found by their process titles {@code postgres: <user> <db> ...},
 * read the same way; absent: {@code pg_cpu_ms_per_call=NaN}). {@code loadgen_cpu_ms_per_call} is this process's own CPU
 * time in the phase per call: the load generator shares the cores with what it measures.
 */
public final class LedgerBench {

    private final LedgerGrpc.LedgerBlockingStub ledger;
    private final int accounts;
    private final String run = Long.toString(System.currentTimeMillis(), 36);
    private final AtomicLong ids = new AtomicLong();
    private final long servicePid;
    private final String pgDatabase;

    private LedgerBench(LedgerGrpc.LedgerBlockingStub ledger, int accounts, long servicePid, String pgDatabase) {
        this.ledger = ledger;
        this.accounts = accounts;
        this.servicePid = servicePid;
        this.pgDatabase = pgDatabase;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        String host = a.getOrDefault("host", "localhost");
        int port = Integer.parseInt(a.getOrDefault("port", "9081"));
        String token = a.get("token");
        int seconds = Integer.parseInt(a.getOrDefault("seconds", "20"));
        int singleCallers = Integer.parseInt(a.getOrDefault("single-callers", "16"));
        int batchCallers = Integer.parseInt(a.getOrDefault("batch-callers", "8"));
        int batchSize = Integer.parseInt(a.getOrDefault("batch-size", "100"));
        int accounts = Integer.parseInt(a.getOrDefault("accounts", "20000"));
        int warmup = Integer.parseInt(a.getOrDefault("warmup-seconds", "5"));
        long servicePid = Long.parseLong(a.getOrDefault("service-pid", "-1"));
        String pgDatabase = a.get("pg-database");

        ManagedChannel channel = NettyChannelBuilder.forAddress(host, port).usePlaintext()
                .maxInboundMessageSize(64 * 1024 * 1024).build();
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        LedgerGrpc.LedgerBlockingStub stub = LedgerGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
        LedgerBench bench = new LedgerBench(stub, accounts, servicePid, pgDatabase);
        try {
            if (!Boolean.parseBoolean(a.getOrDefault("funded", "false"))) {
                bench.fund();
            }
            bench.phase("warmup", singleCallers, warmup, 1);
            bench.phase("single", singleCallers, seconds, 1);
            bench.phase("batch-warmup", batchCallers, warmup, batchSize);
            bench.phase("batch", batchCallers, seconds, batchSize);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    static AccountRef user(int i) {
        return AccountRef.newBuilder().setOwner("bench-u" + i).setKind(AccountKind.ACCOUNT_KIND_USER).build();
    }

    private String id(String kind) {
        return "bench:" + run + ":" + kind + ":" + ids.incrementAndGet();
    }

    /** Gives every account 1,000,000 USDC (minted from the USDC issuer), 1000 accounts per batch. */
    private void fund() {
        long t0 = System.nanoTime();
        AccountRef issuer = AccountRef.newBuilder().setOwner("protocol").setKind(AccountKind.ACCOUNT_KIND_ISSUER).build();
        for (int from = 0; from < accounts; from += 1000) {
            SubmitBatchRequest.Builder batch = SubmitBatchRequest.newBuilder().setBatchId(id("fund-batch"));
            for (int i = from; i < Math.min(accounts, from + 1000); i++) {
                batch.addOperations(BatchOperation.newBuilder().setTransfer(TransferRequest.newBuilder()
                        .setId(id("fund")).setDebit(issuer).setCredit(user(i)).setToken("USDC").setAmount("1000000")
                        .setCode("BENCH_FUND")));
            }
            ledger.submitBatch(batch.build());
        }
        System.out.printf("funded %d accounts in %.1f s%n", accounts, (System.nanoTime() - t0) / 1e9);
    }

    private TransferRequest randomTransfer() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        int from = r.nextInt(accounts);
        int to = r.nextInt(accounts - 1);
        if (to >= from) {
            to++;
        }
        return TransferRequest.newBuilder().setId(id("t")).setDebit(user(from)).setCredit(user(to)).setToken("USDC")
                .setAmount("0.000001").setCode("BENCH").build();
    }

    /** {@code callers} threads call for {@code seconds}; each call is one Transfer or one batch of {@code size}. */
    private void phase(String name, int callers, int seconds, int size) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        AtomicLong failures = new AtomicLong();
        List<Future<long[]>> futures = new ArrayList<>();
        long cpuBefore = serviceCpuTicks();
        long pgBefore = pgCpuTicks();
        long ownBefore = ownCpuNanos();
        long start = System.nanoTime();
        for (int c = 0; c < callers; c++) {
            futures.add(pool.submit(() -> {
                long[] latencies = new long[1 << 16];
                int n = 0;
                while (System.nanoTime() < deadline) {
                    long t0 = System.nanoTime();
                    try {
                        if (size == 1) {
                            ledger.transfer(randomTransfer());
                        } else {
                            SubmitBatchRequest.Builder batch = SubmitBatchRequest.newBuilder().setBatchId(id("batch"));
                            for (int i = 0; i < size; i++) {
                                batch.addOperations(BatchOperation.newBuilder().setTransfer(randomTransfer()));
                            }
                            ledger.submitBatch(batch.build());
                        }
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
        long cpuAfter = serviceCpuTicks();
        long pgAfter = pgCpuTicks();
        long ownAfter = ownCpuNanos();
        pool.shutdown();
        long[] merged = all.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        long calls = merged.length;
        System.out.printf(java.util.Locale.ROOT,
                "RESULT %s callers=%d calls=%d transfers=%d seconds=%.1f calls_per_s=%.1f transfers_per_s=%.1f"
                        + " p50_ms=%.2f p99_ms=%.2f failures=%d service_cpu_ms_per_call=%.3f pg_cpu_ms_per_call=%.3f"
                        + " loadgen_cpu_ms_per_call=%.3f%n",
                name, callers, calls, calls * size, elapsed, calls / elapsed, calls * size / elapsed,
                percentile(merged, 0.50), percentile(merged, 0.99), failures.get(),
                cpuBefore < 0 || calls == 0 ? Double.NaN : (cpuAfter - cpuBefore) * 1000.0 / CLOCK_TICKS / calls,
                pgBefore < 0 || calls == 0 ? Double.NaN : (pgAfter - pgBefore) * 1000.0 / CLOCK_TICKS / calls,
                calls == 0 ? Double.NaN : (ownAfter - ownBefore) / 1e6 / calls);
        System.out.flush(); // each phase's line as it ends (the script's caller may watch for it)
    }

    /** USER_HZ of /proc/<pid>/stat's utime and stime: 100 on every Linux this runs on ({@code getconf CLK_TCK}). */
    private static final int CLOCK_TICKS = 100;

    /** The service's CPU time so far (utime + stime, in clock ticks), or -1 when unknown. */
    private long serviceCpuTicks() {
        return servicePid <= 0 ? -1 : cpuTicks(servicePid);
    }

    /**
     * The CPU time so far of the PostgreSQL backends connected to {@link #pgDatabase} (their process titles read
     * {@code postgres: [<cluster name>:] <user> <database> <host>(<port>) <state>}), or -1 when unknown. The service's pool keeps its
     * connections, so the same backends are summed before and after a phase.
     */
    private long pgCpuTicks() {
        if (pgDatabase == null) {
            return -1;
        }
        long sum = 0;
        try (var procs = java.nio.file.Files.list(java.nio.file.Path.of("/proc"))) {
            for (var dir : (Iterable<java.nio.file.Path>) procs::iterator) {
                String name = dir.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String title = new String(java.nio.file.Files.readAllBytes(dir.resolve("cmdline")),
                            java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' ');
                    String[] words = title.trim().split(" +");
                    // with cluster_name set (Debian: "15/main") the title is "postgres: 15/main: <user> <database> ..."
                    int user = words.length > 1 && words[1].endsWith(":") ? 2 : 1;
                    if (words.length > user + 1 && words[0].equals("postgres:") && words[user + 1].equals(pgDatabase)) {
                        long ticks = cpuTicks(Long.parseLong(name));
                        sum += Math.max(0, ticks);
                    }
                } catch (java.io.IOException | RuntimeException e) {
                    // a process that ended meanwhile
                }
            }
        } catch (java.io.IOException e) {
            return -1;
        }
        return sum;
    }

    private static long cpuTicks(long pid) {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
            // Fields after the command name (which may hold spaces, hence the last ')'): state is field 3,
            // utime field 14, stime field 15.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long ownCpuNanos() {
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
