package io.fomo.billing.holds;

import static io.fomo.billing.BillingFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.fomo.billing.catalog.Catalog;
import io.fomo.grpc.billing.v1.AuthorizeRequest;
import io.fomo.grpc.billing.v1.AuthorizeResponse;
import io.fomo.grpc.billing.v1.BillingGrpc;
import io.fomo.grpc.billing.v1.CaptureRequest;
import io.fomo.grpc.billing.v1.CaptureResponse;
import io.fomo.testkit.TestDatabase;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/** 1,000 concurrent Authorize calls (64 in flight) against a wallet that affords exactly 137 holds. */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class ConcurrentHoldsQuarkusTest {

    @Inject
    Catalog catalog;

    @Test
    void exactly137HoldsThenCapturesAndReleasesInRandomOrderBalance() throws Exception {
        String dep = deployment(catalog, "alice");
        String user = newUser();
        // one hold of (10,000 in, 2,000 out) at no discount = 0.008; 137 of them = 1.096, plus 0.007 (< one more)
        topUp(user, "1.103");
        BillingGrpc.BillingBlockingStub stub = platform();
        ExecutorService pool = Executors.newFixedThreadPool(64);
        ConcurrentLinkedQueue<AuthorizeResponse> holds = new ConcurrentLinkedQueue<>();
        AtomicInteger exhausted = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            futures.add(pool.submit(() -> {
                try {
                    holds.add(stub.authorize(authorizeRequest(user, dep, 10_000, 2_000)));
                } catch (StatusRuntimeException e) {
                    if (e.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED) {
                        exhausted.incrementAndGet();
                    } else {
                        other.incrementAndGet();
                    }
                }
            }));
        }
        for (Future<?> f : futures) {
            f.get(120, TimeUnit.SECONDS);
        }
        assertThat(other.get()).isZero();
        assertThat(holds).hasSize(137);
        assertThat(exhausted.get()).isEqualTo(863);
        assertThat(wallet(user)).containsExactly(new BigInteger("7000"), new BigInteger("1096000"));

        // captures (random tokens, some above nothing) and releases in random order, concurrently
        List<AuthorizeResponse> shuffled = new ArrayList<>(holds);
        Collections.shuffle(shuffled, new Random(42));
        Random random = new Random(7);
        ConcurrentLinkedQueue<BigInteger> charged = new ConcurrentLinkedQueue<>();
        futures.clear();
        for (AuthorizeResponse h : shuffled) {
            boolean release = random.nextInt(3) == 0;
            long in = random.nextInt(10_001);
            long out = random.nextInt(2_001);
            futures.add(pool.submit(() -> {
                if (release) {
                    stub.release(releaseRequest(h.getHoldId()));
                } else {
                    CaptureResponse c = stub.capture(captureRequest(h.getHoldId(), in, out));
                    charged.add(new BigDecimal(c.getCharged()).movePointRight(6).toBigIntegerExact());
                }
            }));
        }
        for (Future<?> f : futures) {
            f.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();
        BigInteger sum = charged.stream().reduce(BigInteger.ZERO, BigInteger::add);
        assertThat(wallet(user)).containsExactly(BigInteger.valueOf(1_103_000).subtract(sum), BigInteger.ZERO);
    }

    @Test
    void concurrentDuplicatesGetTheFirstAnswerAndConcurrentCapturesOfOneHoldChargeOnce() throws Exception {
        String dep = deployment(catalog, "alice");
        String user = fundedUser("1");
        BillingGrpc.BillingBlockingStub stub = platform();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            // 16 identical Authorize calls at once: one hold, every answer the first one
            AuthorizeRequest a = authorizeRequest(user, dep, 10_000, 2_000);
            List<Future<AuthorizeResponse>> authorizes = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                authorizes.add(pool.submit(() -> stub.authorize(a)));
            }
            List<AuthorizeResponse> answers = new ArrayList<>();
            for (Future<AuthorizeResponse> f : authorizes) {
                answers.add(f.get(60, TimeUnit.SECONDS).toBuilder().setReplayed(false).build());
            }
            assertThat(answers).allSatisfy(r -> assertThat(r).isEqualTo(answers.get(0)));
            assertThat(wallet(user)).containsExactly(new BigInteger("992000"), new BigInteger("8000"));

            // 16 identical Capture calls at once, plus 16 captures of the same hold under other request ids: charged once
            CaptureRequest c = captureRequest(answers.get(0).getHoldId(), 5_000, 1_000);
            List<Future<CaptureResponse>> same = new ArrayList<>();
            List<Future<String>> others = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                same.add(pool.submit(() -> stub.capture(c)));
                others.add(pool.submit(() -> {
                    try {
                        stub.capture(c.toBuilder().setRequestId("o-" + UUID.randomUUID()).build());
                        return "CAPTURED";
                    } catch (StatusRuntimeException e) {
                        return e.getStatus().getCode().name();
                    }
                }));
            }
            List<CaptureResponse> captures = new ArrayList<>();
            for (Future<CaptureResponse> f : same) {
                try {
                    captures.add(f.get(60, TimeUnit.SECONDS).toBuilder().setReplayed(false).build());
                } catch (java.util.concurrent.ExecutionException e) {
                    captures.add(null); // another request id captured the hold first
                }
            }
            List<String> otherOutcomes = new ArrayList<>();
            for (Future<String> f : others) {
                otherOutcomes.add(f.get(60, TimeUnit.SECONDS));
            }
            long capturedByOthers = otherOutcomes.stream().filter("CAPTURED"::equals).count();
            assertThat(otherOutcomes).allSatisfy(o -> assertThat(o).isIn("CAPTURED", "FAILED_PRECONDITION"));
            if (capturedByOthers == 0) {
                assertThat(captures).allSatisfy(r -> assertThat(r).isEqualTo(captures.get(0)));
            } else {
                assertThat(capturedByOthers).isEqualTo(1);
                assertThat(captures).containsOnlyNulls();
            }
            // charged once: 5,000 in + 1,000 out = 0.004 USDC
            assertThat(wallet(user)).containsExactly(new BigInteger("996000"), BigInteger.ZERO);
        } finally {
            pool.shutdown();
        }
    }
}
