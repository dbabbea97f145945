package io.fomo.treasury.ledger.store;

import io.fomo.treasury.ledger.LedgerService;
import io.fomo.treasury.ledger.api.LedgerGrpcService;
import io.fomo.treasury.ledger.api.OperationMapper;
import io.fomo.treasury.ledger.api.ProtoMapping;
import io.fomo.treasury.ledger.model.AccountKey;
import io.fomo.treasury.ledger.model.AccountKind;
import io.fomo.treasury.ledger.model.LedgerToken;
import io.fomo.treasury.ledger.model.Operation;
import io.fomo.treasury.ledger.model.TokenKind;

import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import com.sun.management.ThreadMXBean;
import io.fomo.grpc.treasury.v1.AccountRef;
import io.fomo.grpc.treasury.v1.BatchOperation;
import io.fomo.grpc.treasury.v1.SubmitBatchRequest;
import io.fomo.grpc.treasury.v1.TransferRequest;

/**
 * The Java-side CPU and allocation of one SubmitBatch of 100 plain transfers on the fast path, without network or
 * database (not a test; issue #4): parse the request, map it to operations, apply the rules, prepare the call of
 * {@code ledger_post_transfers} (hashes included), build and serialise the answer. Single-threaded, so its CPU time
 * is this work's alone, whatever else runs on the machine. Prints six rounds of 20,000 batches (the first warms the
 * JIT). Run after {@code bench/ledger-bench.sh} built the module:
 * <pre>
 * T=treasury-service/target; java -cp "$T/test-classes:$T/classes:$(cat $T/bench-classpath.txt)" \
 *   io.fomo.treasury.ledger.store.HotPathCpu
 * </pre>
 */
public final class HotPathCpu {
    private HotPathCpu() {
    }

    static AccountRef user(int i) {
        return AccountRef.newBuilder().setOwner("bench-u" + i)
                .setKind(io.fomo.grpc.treasury.v1.AccountKind.ACCOUNT_KIND_USER).build();
    }

    public static void main(String[] args) throws Exception {
        int accounts = 200_000;
        long ids = 0; // ids of the load generator's form (LedgerBench)
        List<byte[]> requests = new ArrayList<>();
        ThreadLocalRandom r = ThreadLocalRandom.current();
        for (int k = 0; k < 500; k++) {
            SubmitBatchRequest.Builder b = SubmitBatchRequest.newBuilder().setBatchId("bench:lx3k9a:batch:" + (++ids));
            for (int i = 0; i < 100; i++) {
                int from = r.nextInt(accounts);
                int to = r.nextInt(accounts - 1);
                if (to >= from) {
                    to++;
                }
                b.addOperations(BatchOperation.newBuilder().setTransfer(TransferRequest.newBuilder()
                        .setId("bench:lx3k9a:t:" + (++ids)).setDebit(user(from)).setCredit(user(to)).setToken("USDC")
                        .setAmount("0.000001").setCode("BENCH")));
            }
            requests.add(b.build().toByteArray());
        }
        // Every account's id known, as in the service once its cache is warm.
        Map<AccountKey, Long> known = new HashMap<>();
        for (int i = 0; i < accounts; i++) {
            known.put(new AccountKey("bench-u" + i, "USDC", AccountKind.USER), (long) i + 10);
        }
        Map<String, LedgerToken> tokens = Map.of("USDC",
                new LedgerToken("USDC", 6, TokenKind.USDC, null, Instant.now(), null));
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sink = 0;
        for (int round = 0; round < 6; round++) {
            int n = 20000;
            long cpu0 = mx.getCurrentThreadCpuTime();
            long al0 = mx.getThreadAllocatedBytes(Thread.currentThread().getId());
            for (int k = 0; k < n; k++) {
                SubmitBatchRequest req = SubmitBatchRequest.parseFrom(requests.get(k % requests.size()));
                String batchId = OperationMapper.id(req.getBatchId(), "batch_id");
                Set<String> symbols = OperationMapper.symbolsOf(req.getOperationsList());
                if (!symbols.contains("USDC")) {
                    throw new IllegalStateException();
                }
                List<Operation> ops = new OperationMapper(tokens).batch(req.getOperationsList(), 1000);
                LedgerStore.Execution ex = LedgerStore.Execution.batch(batchId, ops, tokens, LedgerService.now());
                LedgerStore.FastPathCall call = LedgerStore.prepareFastPath(ex, known::get);
                LedgerStore.Applied applied = new LedgerStore.Applied(call.outcome().results(), ex.now(), false,
                        List.of(), List.of(), Map.of());
                byte[] out = LedgerGrpcService.batchResult(req.getBatchId(), applied, List.of(),
                        new ProtoMapping(tokens::get)).toByteArray();
                sink += out.length + call.params().length;
            }
            long cpu = mx.getCurrentThreadCpuTime() - cpu0;
            long al = mx.getThreadAllocatedBytes(Thread.currentThread().getId()) - al0;
            System.out.printf("round %d: %.1f us CPU per batch, %.0f kB allocated per batch%n", round, cpu / 1e3 / n,
                    al / 1024.0 / n);
        }
        System.out.println("(checksum " + sink + ")");
    }
}
