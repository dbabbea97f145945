package io.fomo.billing.credits;

import static io.fomo.billing.BillingFixtures.*;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.fomo.billing.catalog.Catalog;
import io.fomo.grpc.billing.v1.AuthorizeResponse;
import io.fomo.shared.web.ProblemException;
import io.fomo.testkit.KeycloakTokens;
import io.fomo.testkit.TestDatabase;
import io.grpc.StatusRuntimeException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;

/**
 * Issue #21: {@code POST /api/v1/credits/refunds}: exact to the base unit, in one transaction with its
 * {@code CreditsRefunded}; {@code HOLDS_OPEN} while a hold is open, {@code INSUFFICIENT_CREDITS} above the free
 * credits, replay and conflict by idempotency key, 400s; a refused call writes nothing. Concurrent refunds and
 * Authorize/Capture/Release on the same wallets never make credits negative and never refund while a hold is open.
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class RefundQuarkusTest {

    @Inject
    Catalog catalog;

    @Inject
    RefundService refunds;

    static final String USER = "dave";

    static String subject() {
        return given().auth().oauth2(KeycloakTokens.user(USER)).get("/api/v1/credits/me").then().statusCode(200)
                .extract().path("userId");
    }

    static ValidatableResponse post(String body) {
        return given().auth().oauth2(KeycloakTokens.user(USER)).contentType("application/json").body(body)
                .post("/api/v1/credits/refunds").then();
    }

    static String body(String amount, String destination, String key) {
        return "{\"amount\":\"" + amount + "\"," + (destination == null ? "" : "\"destination\":\"" + destination + "\",")
                + "\"idempotencyKey\":\"" + key + "\"}";
    }

    /** What a refund writes for the user: wallet (available, held, refunded, refunds), refund rows, outbox events. */
    static List<Object> written(String user) {
        return List.of(available(user), held(user),
                count("SELECT count(*) FROM credits_refund WHERE user_id = ?1", user),
                count("SELECT count(*) FROM fomo_outbox WHERE type = 'CreditsRefunded' AND envelope LIKE ?1", "%" + user + "%"),
                count("SELECT coalesce(sum(refunds), 0)::bigint FROM wallet WHERE user_id = ?1", user));
    }

    @Test
    void refundOverRestExactReplayedConflictsAndRefusals() {
        String sub = subject();
        String dep = deployment(catalog, "alice");
        topUp(sub, "3.000001");
        BigDecimal before = available(sub);
        long outboxBefore = count("SELECT count(*) FROM fomo_outbox WHERE type = 'CreditsRefunded'");
        String key = "r-" + UUID.randomUUID();

        String id = post(body("1.000001", null, key)).statusCode(201).body("userId", equalTo(sub))
                .body("amount", equalTo("1.000001")).body("destination", nullValue()).body("state", equalTo("REFUNDED"))
                .extract().path("id");
        assertThat(available(sub)).isEqualByComparingTo(before.subtract(new BigDecimal("1.000001")));
        assertThat(count("SELECT count(*) FROM fomo_outbox WHERE event_id = ?1", "CreditsRefunded:" + id)).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM fomo_outbox WHERE type = 'CreditsRefunded'")).isEqualTo(outboxBefore + 1);
        assertThat(count("SELECT count(*) FROM fomo_outbox WHERE event_id = ?1 AND envelope LIKE '%\"1.000001\"%'",
                "CreditsRefunded:" + id)).isEqualTo(1);

        // replay: the same answer, nothing more; the same key with another body: 409
        List<Object> after = written(sub);
        post(body("1.000001", null, key)).statusCode(201).header("Idempotent-Replayed", "true").body("id", equalTo(id))
                .body("amount", equalTo("1.000001"));
        post(body("1.000002", null, key)).statusCode(409).body("code", equalTo("IDEMPOTENCY_CONFLICT"));
        post(body("1.000001", "acct:dave-bank", key)).statusCode(409).body("code", equalTo("IDEMPOTENCY_CONFLICT"));
        assertThat(written(sub)).isEqualTo(after);

        // refusals write nothing
        String fresh = "r-" + UUID.randomUUID();
        BigDecimal free = available(sub);
        post(body(free.add(new BigDecimal("0.000001")).toPlainString(), null, fresh)).statusCode(402)
                .body("code", equalTo("INSUFFICIENT_CREDITS"));
        for (String bad : List.of("0", "-1", "0.0000001", "abc", "1e3", "")) {
            post(body(bad, null, fresh)).statusCode(400).body("code", equalTo("INVALID_AMOUNT"));
        }
        post("{\"amount\":1,\"idempotencyKey\":\"" + fresh + "\"}").statusCode(400).body("code", equalTo("INVALID_AMOUNT"));
        for (String bad : List.of("0x123", "acct:a", "acct:has space", "bank", "0xZZ00000000000000000000000000000000000000")) {
            post(body("0.5", bad, fresh)).statusCode(400).body("code", equalTo("INVALID_DESTINATION"));
        }
        post("{\"amount\":\"0.5\"}").statusCode(400).body("code", equalTo("INVALID_IDEMPOTENCY_KEY"));
        post("{\"amount\":\"0.5\",\"idempotencyKey\":\"" + fresh + "\",\"extra\":1}").statusCode(400);
        given().contentType("application/json").body(body("0.5", null, fresh)).post("/api/v1/credits/refunds").then()
                .statusCode(401);
        assertThat(written(sub)).isEqualTo(after);

        // an open hold refuses the refund (409 HOLDS_OPEN, nothing written); once released it is accepted
        AuthorizeResponse hold = platform().authorize(authorizeRequest(sub, dep, 1_000, 100));
        List<Object> holding = written(sub);
        post(body("0.5", null, fresh)).statusCode(409).body("code", equalTo("HOLDS_OPEN"));
        assertThat(written(sub)).isEqualTo(holding);
        platform().release(releaseRequest(hold.getHoldId()));
        BigDecimal released = available(sub);
        String id2 = post(body("0.5", "acct:dave-bank", fresh)).statusCode(201).body("destination", equalTo("acct:dave-bank"))
                .extract().path("id");
        assertThat(available(sub)).isEqualByComparingTo(released.subtract(new BigDecimal("0.5")));

        // the user's list, newest first
        given().auth().oauth2(KeycloakTokens.user(USER)).get("/api/v1/credits/refunds/me").then().statusCode(200)
                .body("refunds[0].id", equalTo(id2)).body("refunds[1].id", equalTo(id));
        given().get("/api/v1/credits/refunds/me").then().statusCode(401);
    }

    static void sql(String statement) {
        query(() -> Panache.getSession().flatMap(s -> s.createNativeQuery(statement).executeUpdate()));
    }

    /**
     * 6 users, each with 2 threads of Authorize → Capture/Release and 1 thread of random refunds, all at once. A test
     * trigger logs the wallet's {@code held} in the row version each refund writes: it must always be 0 (holds here
     * live 10 minutes, so held = Σ open holds). Afterwards every wallet balances and every refund row is in the outbox.
     */
    @Test
    void concurrentRefundsAndAuthorizationsNeverOverdrawNorRefundWithAHoldOpen() throws Exception {
        String dep = deployment(catalog, "alice");
        sql("CREATE TABLE IF NOT EXISTS test_refund_seen (user_id text, held numeric, available numeric)");
        sql("""
                CREATE OR REPLACE FUNCTION test_refund_seen() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN INSERT INTO test_refund_seen VALUES (NEW.user_id, NEW.held, NEW.available); RETURN NEW; END $$""");
        sql("DROP TRIGGER IF EXISTS test_refund_seen ON wallet");
        sql("CREATE TRIGGER test_refund_seen AFTER UPDATE ON wallet FOR EACH ROW WHEN (NEW.refunds <> OLD.refunds) "
                + "EXECUTE FUNCTION test_refund_seen()");
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            users.add(fundedUser("1"));
        }
        ExecutorService pool = Executors.newFixedThreadPool(18);
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger holdsOpen = new AtomicInteger();
        AtomicInteger insufficient = new AtomicInteger();
        try {
            List<Future<?>> work = new ArrayList<>();
            for (String u : users) {
                for (int t = 0; t < 2; t++) {
                    int seed = t;
                    work.add(pool.submit(() -> {
                        for (int i = 0; i < 15; i++) {
                            AuthorizeResponse h;
                            try {
                                h = platform().authorize(authorizeRequest(u, dep, 2_000, 200));
                            } catch (StatusRuntimeException e) {
                                continue; // RESOURCE_EXHAUSTED once the refunds took the credits
                            }
                            if ((i + seed) % 3 == 0) {
                                platform().release(releaseRequest(h.getHoldId()));
                            } else {
                                platform().capture(captureRequest(h.getHoldId(), 500, 50));
                            }
                        }
                    }));
                }
                work.add(pool.submit(() -> {
                    Random random = new Random(u.hashCode());
                    for (int i = 0; i < 20; i++) {
                        String amount = BigDecimal.valueOf(1 + random.nextInt(150_000), 6).toPlainString();
                        try {
                            VertxContextSupport.subscribeAndAwait(() -> refunds.refund(new RefundService.RefundCommand(
                                    u, amount, null, "k-" + UUID.randomUUID())));
                            accepted.incrementAndGet();
                        } catch (ProblemException e) {
                            switch (e.code()) {
                                case "HOLDS_OPEN" -> holdsOpen.incrementAndGet();
                                case "INSUFFICIENT_CREDITS" -> insufficient.incrementAndGet();
                                default -> throw e;
                            }
                        } catch (Throwable e) {
                            throw new RuntimeException(e);
                        }
                    }
                }));
            }
            for (Future<?> f : work) {
                f.get(180, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            sql("DROP TRIGGER IF EXISTS test_refund_seen ON wallet");
        }
        assertThat(accepted.get()).as("refunds accepted").isPositive();
        assertThat(holdsOpen.get()).as("refunds refused for an open hold").isPositive();
        String in = "('" + String.join("','", users) + "')";
        assertThat(count("SELECT count(*) FROM test_refund_seen WHERE user_id IN " + in)).isEqualTo(accepted.get());
        assertThat(count("SELECT count(*) FROM test_refund_seen WHERE user_id IN " + in + " AND (held <> 0 OR available < 0)"))
                .as("a refund with a hold open").isZero();
        for (String u : users) {
            assertThat(count("SELECT count(*) FROM hold WHERE user_id = ?1 AND state = 'HELD'", u)).isZero();
            assertThat(count("SELECT count(*) FROM wallet WHERE user_id = ?1 AND held = 0 AND available >= 0 AND "
                    + "available = topped_up - charged - refunded AND refunded = (SELECT coalesce(sum(amount), 0) FROM "
                    + "credits_refund r WHERE r.user_id = wallet.user_id) AND refunds = (SELECT count(*) FROM "
                    + "credits_refund r WHERE r.user_id = wallet.user_id)", u)).as("wallet of %s", u).isEqualTo(1);
            assertThat(count("SELECT count(*) FROM fomo_outbox WHERE type = 'CreditsRefunded' AND envelope LIKE ?1", "%" + u + "%"))
                    .isEqualTo(count("SELECT count(*) FROM credits_refund WHERE user_id = ?1", u));
        }
    }
}
