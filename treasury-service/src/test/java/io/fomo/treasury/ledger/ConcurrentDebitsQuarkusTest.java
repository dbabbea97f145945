package io.fomo.treasury.ledger;


import static io.fomo.treasury.ledger.LedgerTestSupport.account;
import static io.fomo.treasury.ledger.LedgerTestSupport.code;
import static io.fomo.treasury.ledger.LedgerTestSupport.fundUsdc;
import static io.fomo.treasury.ledger.LedgerTestSupport.pending;
import static io.fomo.treasury.ledger.LedgerTestSupport.transfer;
import static io.fomo.treasury.ledger.LedgerTestSupport.unique;
import static io.fomo.treasury.ledger.LedgerTestSupport.user;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.fomo.grpc.treasury.v1.Account;
import io.fomo.grpc.treasury.v1.AccountKind;
import io.fomo.grpc.treasury.v1.LedgerGrpc;
import io.fomo.testkit.TestDatabase;
import io.fomo.treasury.audit.AuditService;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * 64 debits race for one account's balance through the real gRPC service and PostgreSQL: the balance affords
 * exactly N of them, so exactly N succeed and the others fail with INSUFFICIENT_BALANCE; the account ends at
 * zero, never below, and equals the journal.
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class ConcurrentDebitsQuarkusTest {

    static final int CALLERS = 64;
    static final int AFFORDABLE = 23;

    @GrpcClient("ledger")
    LedgerGrpc.LedgerBlockingStub client;

    @Inject
    AuditService audit;

    /** Fires one call per caller at the same instant; returns the error code of each (null = success). */
    List<String> race(List<Callable<Object>> calls) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(calls.size());
        try {
            CyclicBarrier start = new CyclicBarrier(calls.size());
            List<Future<String>> futures = new ArrayList<>();
            for (Callable<Object> call : calls) {
                futures.add(pool.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    try {
                        call.call();
                        return null;
                    } catch (StatusRuntimeException e) {
                        return code(e);
                    }
                }));
            }
            List<String> codes = new ArrayList<>();
            for (Future<String> f : futures) {
                codes.add(f.get(120, TimeUnit.SECONDS));
            }
            return codes;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void exactlyTheAffordableDebitsSucceed() throws Exception {
        LedgerGrpc.LedgerBlockingStub ledger = LedgerTestSupport.service(client);
        String payer = unique("payer");
        fundUsdc(payer, "23.000023"); // exactly 23 × 1.000001
        List<Callable<Object>> debits = new ArrayList<>();
        for (int i = 0; i < CALLERS; i++) {
            String payee = unique("payee");
            debits.add(() -> ledger.transfer(transfer(unique("debit"), user(payer), user(payee), "USDC", "1.000001")));
        }
        List<String> codes = race(debits);
        assertThat(codes.stream().filter(c -> c == null).count()).isEqualTo(AFFORDABLE);
        assertThat(codes.stream().filter(c -> c != null)).hasSize(CALLERS - AFFORDABLE)
                .containsOnly("INSUFFICIENT_BALANCE");
        Account after = ledger.getAccount(account(user(payer), "USDC"));
        assertThat(after.getBalance()).isEqualTo("0");
        assertThat(after.getAvailable()).isEqualTo("0");
        assertThat(audit.audit().await().indefinitely().ok()).isTrue();
    }

    @Test
    void holdsRaceTheSameWayAndTheHeldAmountIsNotSpendable() throws Exception {
        LedgerGrpc.LedgerBlockingStub ledger = LedgerTestSupport.service(client);
        String payer = unique("payer");
        fundUsdc(payer, "46");
        // Half the callers hold 2 USDC into an escrow, half pay 2 USDC away, all at once: 23 of 64 fit.
        List<Callable<Object>> calls = new ArrayList<>();
        for (int i = 0; i < CALLERS; i++) {
            if (i % 2 == 0) {
                calls.add(() -> ledger.createPending(pending(unique("hold"), user(payer),
                        LedgerTestSupport.ref(unique("offering"), AccountKind.ACCOUNT_KIND_OFFERING_ESCROW), "USDC",
                        "2")));
            } else {
                calls.add(() -> ledger.transfer(transfer(unique("pay"), user(payer), user(unique("payee")), "USDC",
                        "2")));
            }
        }
        List<String> codes = race(calls);
        assertThat(codes.stream().filter(c -> c == null).count()).isEqualTo(AFFORDABLE);
        assertThat(codes.stream().filter(c -> c != null)).containsOnly("INSUFFICIENT_BALANCE");
        Account after = ledger.getAccount(account(user(payer), "USDC"));
        assertThat(after.getAvailable()).isEqualTo("0");
        assertThat(new java.math.BigDecimal(after.getBalance()))
                .isEqualByComparingTo(new java.math.BigDecimal(after.getPendingDebits()));
        assertThat(audit.audit().await().indefinitely().ok()).isTrue();
    }

    @Test
    void concurrentRepeatsOfOneIdApplyOnce() throws Exception {
        LedgerGrpc.LedgerBlockingStub ledger = LedgerTestSupport.service(client);
        String payer = unique("payer");
        fundUsdc(payer, "5");
        var request = transfer(unique("once"), user(payer), user(unique("payee")), "USDC", "5");
        List<Callable<Object>> calls = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            calls.add(() -> ledger.transfer(request));
        }
        assertThat(race(calls)).containsOnlyNulls();
        assertThat(ledger.getAccount(account(user(payer), "USDC")).getBalance()).isEqualTo("0");
        assertThat(ledger.getAccount(account(request.getCredit(), "USDC")).getBalance()).isEqualTo("5");
    }
}
