package io.fomo.treasury.payout;

import static io.fomo.testkit.ConsumerRollback.count;
import static io.fomo.treasury.TreasuryRest.as;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.fomo.testkit.Hostile;
import io.fomo.testkit.KeycloakTokens;
import io.fomo.testkit.TestDatabase;
import io.fomo.treasury.TreasuryRest;
import io.fomo.treasury.ledger.LedgerService;
import io.fomo.treasury.ledger.model.AccountKey;
import io.fomo.treasury.ledger.model.AccountKind;
import io.fomo.treasury.ledger.model.Operation;
import io.fomo.treasury.market.MarketFixtures;
import io.fomo.treasury.market.MarketFixtures.Model;
import io.fomo.treasury.payout.processor.LocalPayoutProcessor;
import io.fomo.treasury.payout.processor.PayoutOrder;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;

/**
 * Issue #21's withdrawals and payouts against the started treasury with real tokens: FLOCK, USDC and a model token
 * paid out end to end; the processor's refusal and an operator's rejection voided back to the base unit; the daily
 * limit and the approval threshold; idempotency; a crash between claim and payment and between payment and post
 * finished by the resume job with one payment and one post; concurrent requests within the limit and the balance;
 * provider and treasury payouts; hostile bodies. Model tokens are fresh per test (test limits: MODEL 1000 a day,
 * approval above 100), so no test depends on what earlier runs withdrew today. The payout audit is ok after each.
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class PayoutQuarkusTest {

    static final String ADDR = "0x" + "a1".repeat(20);
    static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    MarketFixtures fx;

    @Inject
    LedgerService ledger;

    @Inject
    LocalPayoutProcessor processor;

    @Inject
    PayoutWorker worker;

    @Inject
    PayoutAudit audit;

    @Inject
    ProtocolPayoutService protocolPayouts;

    @Inject
    Pool pool;

    @AfterEach
    void auditOk() {
        processor.setMode(LocalPayoutProcessor.Mode.PAY);
        Awaitility.await().atMost(WAIT).untilAsserted(() -> {
            PayoutAudit.Report r = audit.report().await().atMost(WAIT);
            assertThat(r.problems()).isEmpty();
            assertThat(r.ok()).isTrue();
        });
    }

    // ------------------------------------------------------------------ helpers

    static String sub(String user) {
        return TreasuryRest.me(user).getString("userId");
    }

    static Map<String, Object> withdrawal(String token, Object amount, String destination, String key) {
        return TreasuryRest.body("token", token, "amount", amount, "destination", destination, "idempotencyKey", key);
    }

    static Response withdraw(String user, Map<String, Object> body) {
        return as(user).contentType("application/json").body(body).post("/api/v1/withdrawals");
    }

    static JsonPath created(String user, String token, String amount, String destination) {
        return withdraw(user, withdrawal(token, amount, destination, "w-" + UUID.randomUUID())).then().statusCode(201)
                .extract().jsonPath();
    }

    static JsonPath awaitState(String path, String state) {
        JsonPath[] last = new JsonPath[1];
        Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
            last[0] = as("op").get(path).then().statusCode(200).extract().jsonPath();
            return state.equals(last[0].getString("state"));
        });
        return last[0];
    }

    static JsonPath awaitWithdrawal(String id, String state) {
        return awaitState("/api/v1/withdrawals/" + id, state);
    }

    BigInteger balance(String owner, String token, AccountKind kind) {
        return fx.balance(new AccountKey(owner, token, kind));
    }

    BigInteger available(String owner, String token) {
        var s = ledger.account(new AccountKey(owner, token, AccountKind.USER)).await().indefinitely();
        return s == null ? BigInteger.ZERO : s.available();
    }

    static BigInteger units(int decimals, String symbol, String amount) {
        return Amount.parse(new Token(symbol, decimals), amount).units();
    }

    /** A fresh model token with {@code amount} MT given to {@code userId} from its pool's reserve. */
    Model modelFor(String userId, String amount) {
        Model m = fx.launch("100000", "1000");
        String id = "ledger:test-fund:" + UUID.randomUUID();
        ledger.internalBatch(id, List.of(new Operation.Transfer(id + ":0",
                new AccountKey(m.poolId(), m.symbol(), AccountKind.POOL_RESERVE),
                new AccountKey(userId, m.symbol(), AccountKind.USER), MarketFixtures.flock(amount), "TEST", "test")))
                .await().indefinitely();
        return m;
    }

    JsonPath payments(String payoutId) {
        return as("op").queryParam("payoutId", payoutId).get("/api/v1/payout-processor/payments").then()
                .statusCode(200).extract().jsonPath();
    }

    static long posts(String pendingId) {
        return count("SELECT count(*) FROM ledger_transfer WHERE pending_id = ? AND kind = 'POST'", pendingId);
    }

    static long payoutRows(String owner, String token) {
        return count("SELECT count(*) FROM payout WHERE owner = ? AND token = ?", owner, token);
    }

    // ------------------------------------------------------------------ tests

    @Test
    void flockUsdcAndModelTokenArePaidOutEndToEnd() {
        String bob = sub("bob");
        fx.fund(bob, "FLOCK", "10");
        fx.fund(bob, "USDC", "10");
        Model m = modelFor(bob, "50");
        record Case(String token, String amount, String destination, BigInteger units) {
        }
        for (Case c : List.of(new Case("FLOCK", "2.5", ADDR, MarketFixtures.flock("2.5")),
                new Case("USDC", "1.25", "acct:bob-bank.1", MarketFixtures.usdc("1.25")),
                new Case(m.symbol(), "40", ADDR, MarketFixtures.flock("40")))) {
            BigInteger before = balance(bob, c.token(), AccountKind.USER);
            BigInteger outBefore = balance("protocol", c.token(), AccountKind.BRIDGE_OUT);
            JsonPath w = created("bob", c.token(), c.amount(), c.destination());
            assertThat(w.getString("kind")).isEqualTo("WITHDRAWAL");
            assertThat(w.getString("userId")).isEqualTo(bob);
            assertThat(w.getString("amount")).isEqualTo(c.amount());
            assertThat(w.getString("pendingId")).isEqualTo("withdrawal:" + w.getString("id"));
            assertThat(w.getString("payoutId")).isEqualTo(w.getString("id"));
            String id = w.getString("id");
            JsonPath paid = awaitWithdrawal(id, "PAID");
            assertThat(paid.getString("failure")).isNull();
            assertThat(balance(bob, c.token(), AccountKind.USER)).isEqualTo(before.subtract(c.units()));
            assertThat(balance("protocol", c.token(), AccountKind.BRIDGE_OUT)).isEqualTo(outBefore.add(c.units()));
            JsonPath payments = payments(id);
            assertThat(payments.getList("payments")).hasSize(1);
            assertThat(payments.getString("payments[0].amount")).isEqualTo(c.amount());
            assertThat(payments.getString("payments[0].destination")).isEqualTo(c.destination());
            assertThat(posts("withdrawal:" + id)).isEqualTo(1);
            // its user and an operator read it; someone else may not
            as("bob").get("/api/v1/withdrawals/" + id).then().statusCode(200).body("state", equalTo("PAID"));
            as("alice").get("/api/v1/withdrawals/" + id).then().statusCode(403);
        }
        JsonPath mine = as("bob").get("/api/v1/withdrawals/me").then().statusCode(200).extract().jsonPath();
        assertThat(mine.getList("withdrawals.userId", String.class)).containsOnly(bob);
        assertThat(mine.getString("withdrawals[0].token")).isEqualTo(m.symbol());
        as("op").get("/api/v1/withdrawals/" + UUID.randomUUID()).then().statusCode(404)
                .body("code", equalTo("WITHDRAWAL_NOT_FOUND"));
        as("bob").get("/api/v1/withdrawals?state=PAID").then().statusCode(403);
        as("op").get("/api/v1/withdrawals?state=PAID").then().statusCode(200);
        as("op").get("/api/v1/withdrawals?state=NOPE").then().statusCode(400);
        given().get("/api/v1/withdrawals/me").then().statusCode(401);
    }

    @Test
    void refusalsAndRejectionsAreVoidedBackAndApprovalsPay() {
        String bob = sub("bob");
        fx.fund(bob, "USDC", "1");
        BigInteger before = balance(bob, "USDC", AccountKind.USER);
        processor.setMode(LocalPayoutProcessor.Mode.FAIL);
        String failed = created("bob", "USDC", "0.000001", ADDR).getString("id");
        JsonPath f = awaitWithdrawal(failed, "FAILED");
        assertThat(f.getString("failure")).contains("refused");
        assertThat(balance(bob, "USDC", AccountKind.USER)).isEqualTo(before);
        assertThat(available(bob, "USDC")).isEqualTo(before);
        assertThat(payments(failed).getList("payments")).isEmpty();
        processor.setMode(LocalPayoutProcessor.Mode.PAY);

        Model m = modelFor(bob, "500");
        BigInteger mt = balance(bob, m.symbol(), AccountKind.USER);
        // above the approval threshold (100 in tests): held at once, waits for an operator
        JsonPath waiting = created("bob", m.symbol(), "150", ADDR);
        assertThat(waiting.getString("state")).isEqualTo("AWAITING_APPROVAL");
        assertThat(available(bob, m.symbol())).isEqualTo(mt.subtract(MarketFixtures.flock("150")));
        String id = waiting.getString("id");
        as("bob").contentType("application/json").body(Map.of("reason", "no")).post("/api/v1/withdrawals/" + id + "/reject")
                .then().statusCode(403);
        as("op").contentType("application/json").body(Map.of("reason", "looks like fraud"))
                .post("/api/v1/withdrawals/" + id + "/reject").then().statusCode(200)
                .body("state", equalTo("REJECTED")).body("failure", equalTo("looks like fraud"));
        assertThat(available(bob, m.symbol())).isEqualTo(mt);
        assertThat(balance(bob, m.symbol(), AccountKind.USER)).isEqualTo(mt);
        as("op").contentType("application/json").body(Map.of("reason", "again"))
                .post("/api/v1/withdrawals/" + id + "/reject").then().statusCode(200).body("state", equalTo("REJECTED"));
        as("op").post("/api/v1/withdrawals/" + id + "/approve").then().statusCode(409)
                .body("code", equalTo("WITHDRAWAL_NOT_AWAITING_APPROVAL"));

        String approved = created("bob", m.symbol(), "120", ADDR).getString("id");
        as("op").post("/api/v1/withdrawals/" + approved + "/approve").then().statusCode(200);
        awaitWithdrawal(approved, "PAID");
        as("op").post("/api/v1/withdrawals/" + approved + "/approve").then().statusCode(200).body("state", equalTo("PAID"));
        as("op").contentType("application/json").body(Map.of()).post("/api/v1/withdrawals/" + approved + "/reject")
                .then().statusCode(409).body("code", equalTo("WITHDRAWAL_NOT_AWAITING_APPROVAL"));
        assertThat(balance(bob, m.symbol(), AccountKind.USER)).isEqualTo(mt.subtract(MarketFixtures.flock("120")));
        assertThat(payments(approved).getList("payments")).hasSize(1);
    }

    @Test
    void dailyLimitIdempotencyAndBadInput() {
        String bob = sub("bob");
        Model m = modelFor(bob, "2000");
        String mt = m.symbol();
        created("bob", mt, "100", ADDR);
        long rows = payoutRows(bob, mt);
        long pendings = count("SELECT count(*) FROM ledger_pending");
        withdraw("bob", withdrawal(mt, "950", ADDR, "w-" + UUID.randomUUID())).then().statusCode(409)
                .contentType("application/problem+json").body("code", equalTo("WITHDRAWAL_LIMIT_EXCEEDED"));
        assertThat(payoutRows(bob, mt)).isEqualTo(rows);
        assertThat(count("SELECT count(*) FROM ledger_pending")).isEqualTo(pendings);
        // 100 + 900 = the limit exactly; AWAITING_APPROVAL counts
        String key = "w-" + UUID.randomUUID();
        Response first = withdraw("bob", withdrawal(mt, "900", ADDR, key));
        first.then().statusCode(201).header("Idempotent-Replayed", "false").body("state", equalTo("AWAITING_APPROVAL"));
        withdraw("bob", withdrawal(mt, "0.000000000000000001", ADDR, "w-" + UUID.randomUUID())).then().statusCode(409)
                .body("code", equalTo("WITHDRAWAL_LIMIT_EXCEEDED"));
        // the same key and body: the same withdrawal; another body: 409
        withdraw("bob", withdrawal(mt, "900.0", ADDR, key)).then().statusCode(201)
                .header("Idempotent-Replayed", "true").body("id", equalTo(first.jsonPath().getString("id")));
        withdraw("bob", withdrawal(mt, "901", ADDR, key)).then().statusCode(409)
                .body("code", equalTo("IDEMPOTENCY_CONFLICT"));
        assertThat(payoutRows(bob, mt)).isEqualTo(rows + 1);
        // a rejected withdrawal no longer counts
        as("op").contentType("application/json").body(Map.of("reason", "limit test"))
                .post("/api/v1/withdrawals/" + first.jsonPath().getString("id") + "/reject").then().statusCode(200);
        created("bob", mt, "50", ADDR);

        // refusals write nothing
        String carol = sub("carol");
        long before = count("SELECT count(*) FROM payout") + count("SELECT count(*) FROM ledger_pending");
        withdraw("carol", withdrawal(mt, "1", ADDR, "w-" + UUID.randomUUID())).then().statusCode(409)
                .body("code", equalTo("INSUFFICIENT_BALANCE"));
        withdraw("bob", withdrawal(mt, 1, ADDR, "w-" + UUID.randomUUID())).then().statusCode(400)
                .body("code", equalTo("INVALID_AMOUNT"));
        withdraw("bob", withdrawal(mt, "-1", ADDR, "w-" + UUID.randomUUID())).then().statusCode(400)
                .body("code", equalTo("INVALID_AMOUNT"));
        withdraw("bob", withdrawal("NOPE", "1", ADDR, "w-" + UUID.randomUUID())).then().statusCode(400)
                .body("code", equalTo("UNKNOWN_TOKEN"));
        withdraw("bob", withdrawal("LP-FLOCK-USDC", "1", ADDR, "w-" + UUID.randomUUID())).then().statusCode(400)
                .body("code", equalTo("TOKEN_NOT_WITHDRAWABLE"));
        withdraw("bob", withdrawal(mt, "1", "acct:bank-1", "w-" + UUID.randomUUID())).then().statusCode(400)
                .body("code", equalTo("INVALID_DESTINATION"));
        withdraw("bob", withdrawal("USDC", "1", "bank-1", "w-" + UUID.randomUUID())).then().statusCode(400)
                .body("code", equalTo("INVALID_DESTINATION"));
        withdraw("bob", withdrawal(mt, "1", ADDR, null)).then().statusCode(400)
                .body("code", equalTo("INVALID_IDEMPOTENCY_KEY"));
        given().contentType("application/json").body(withdrawal(mt, "1", ADDR, "k")).post("/api/v1/withdrawals").then()
                .statusCode(401);
        assertThat(count("SELECT count(*) FROM payout") + count("SELECT count(*) FROM ledger_pending")).isEqualTo(before);
        assertThat(carol).isNotBlank();
    }

    @Test
    void aCrashBeforeOrAfterThePaymentIsFinishedByTheResumeJobOnce() {
        String bob = sub("bob");
        Model m = modelFor(bob, "1000");
        BigInteger before = balance(bob, m.symbol(), AccountKind.USER);
        // Rows above the threshold wait (nothing claims them); forged as claimed by a worker that died at once.
        String beforePay = created("bob", m.symbol(), "101", ADDR).getString("id");
        String afterPay = created("bob", m.symbol(), "102", ADDR).getString("id");
        for (String id : List.of(beforePay, afterPay)) {
            pool.preparedQuery("UPDATE payout SET state = 'PAYING', claimed_at = now() - interval '1 hour', attempts = 1"
                    + " WHERE id = $1 AND state = 'AWAITING_APPROVAL'").execute(Tuple.of(id)).await().indefinitely();
        }
        // The second one died after the processor paid it.
        processor.pay(new PayoutOrder(afterPay, m.symbol(), MarketFixtures.flock("102"), ADDR));
        assertThat(payments(afterPay).getList("payments")).hasSize(1);
        worker.resume().await().atMost(WAIT);
        for (String id : List.of(beforePay, afterPay)) {
            awaitWithdrawal(id, "PAID");
            assertThat(payments(id).getList("payments")).as(id).hasSize(1);
            assertThat(posts("withdrawal:" + id)).as(id).isEqualTo(1);
        }
        assertThat(balance(bob, m.symbol(), AccountKind.USER)).isEqualTo(before.subtract(MarketFixtures.flock("203")));
        // Asked again, the processor pays nothing more; the worker settles nothing twice.
        processor.pay(new PayoutOrder(afterPay, m.symbol(), MarketFixtures.flock("102"), ADDR));
        worker.resume().await().atMost(WAIT);
        assertThat(payments(afterPay).getList("payments")).hasSize(1);
        assertThat(posts("withdrawal:" + afterPay)).isEqualTo(1);
    }

    @Test
    void aStalledProcessorLeavesThePayoutPayingUntilItAnswers() {
        String bob = sub("bob");
        fx.fund(bob, "USDC", "1");
        processor.setMode(LocalPayoutProcessor.Mode.STALL_BEFORE_PAY);
        String id = created("bob", "USDC", "0.5", "acct:bob-bank").getString("id");
        awaitWithdrawal(id, "PAYING");
        assertThat(payments(id).getList("payments")).isEmpty();
        // the lease runs out while it stalls: re-claimed with the same payoutId, still nothing paid
        Awaitility.await().atMost(WAIT).until(() -> count("SELECT attempts FROM payout WHERE id = ?", id) >= 2);
        assertThat(payments(id).getList("payments")).isEmpty();
        as("op").contentType("application/json").body(Map.of("mode", "PAY")).post("/api/v1/payout-processor/control")
                .then().statusCode(200).body("mode", equalTo("PAY"));
        awaitWithdrawal(id, "PAID");
        assertThat(payments(id).getList("payments")).hasSize(1);
        assertThat(posts("withdrawal:" + id)).isEqualTo(1);
        as("op").contentType("application/json").body(Map.of("mode", "SLOW")).post("/api/v1/payout-processor/control")
                .then().statusCode(400);
        as("bob").contentType("application/json").body(Map.of("mode", "FAIL")).post("/api/v1/payout-processor/control")
                .then().statusCode(403);
    }

    @Test
    void concurrentRequestsNeverPassTheLimitNorTheBalance() throws Exception {
        String bob = sub("bob");
        String token = KeycloakTokens.user("bob");
        Model poor = modelFor(bob, "500");     // the balance binds: 5 × 90
        Model rich = modelFor(bob, "5000");    // the daily limit binds: 11 × 90 = 990 ≤ 1000
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (Model m : List.of(poor, rich)) {
                List<Callable<Integer>> calls = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    Map<String, Object> body = withdrawal(m.symbol(), "90", ADDR, "c-" + UUID.randomUUID());
                    calls.add(() -> given().auth().oauth2(token).contentType("application/json").body(body)
                            .post("/api/v1/withdrawals").then().extract().statusCode());
                }
                List<Integer> statuses = new ArrayList<>();
                for (Future<Integer> f : pool.invokeAll(calls)) {
                    statuses.add(f.get());
                }
                assertThat(statuses).allMatch(s -> s == 201 || s == 409);
                long ok = statuses.stream().filter(s -> s == 201).count();
                assertThat(ok).as(m.symbol()).isEqualTo(m == poor ? 5 : 11);
                assertThat(count("SELECT count(*) FROM payout WHERE owner = ? AND token = ? AND amount = ?::text::numeric",
                        bob, m.symbol(), MarketFixtures.flock("90").toString())).isEqualTo(ok);
            }
        } finally {
            pool.shutdownNow();
        }
        Awaitility.await().atMost(WAIT).until(() -> count("SELECT count(*) FROM payout WHERE owner = ? AND token IN (?, ?)"
                + " AND state <> 'PAID'", bob, poor.symbol(), rich.symbol()) == 0);
        assertThat(balance(bob, poor.symbol(), AccountKind.USER)).isEqualTo(MarketFixtures.flock("50"));
        assertThat(balance(bob, rich.symbol(), AccountKind.USER)).isEqualTo(MarketFixtures.flock("4010"));
    }

    @Test
    void providerAndTreasuryPayouts() {
        Model m = fx.model("100000", "100000", Instant.now().minusSeconds(7200));
        fx.topUp("100");
        fx.settle(MarketFixtures.settled(m, MarketFixtures.window(), "100", "20", "80"));
        as("op").contentType("application/json").body(Map.of("destination", "acct:gpu-farm-7"))
                .put("/api/v1/payouts/providers/" + m.deploymentId()).then().statusCode(200);
        long run = protocolPayouts.runOf(Instant.now());
        Optional<PayoutView> provider = protocolPayouts.providerOne(m.deploymentId(), run).await().atMost(WAIT);
        assertThat(provider).isPresent();
        assertThat(provider.get().kind()).isEqualTo("PROVIDER_PAYOUT");
        assertThat(provider.get().amount()).isEqualTo("20");
        assertThat(provider.get().deploymentId()).isEqualTo(m.deploymentId());
        assertThat(provider.get().destination()).isEqualTo("acct:gpu-farm-7");
        awaitState("/api/v1/payouts/" + provider.get().id(), "PAID");
        // the same run, and a later one with nothing more owed, pay nothing
        assertThat(protocolPayouts.providerOne(m.deploymentId(), run).await().atMost(WAIT)).isEmpty();
        assertThat(protocolPayouts.providerOne(m.deploymentId(), run + 1).await().atMost(WAIT)).isEmpty();
        assertThat(count("SELECT count(*) FROM payout WHERE deployment_id = ?", m.deploymentId())).isEqualTo(1);
        as("op").get("/api/v1/payouts?kind=PROVIDER_PAYOUT").then().statusCode(200)
                .body("payouts.find { it.id == '" + provider.get().id() + "' }.state", equalTo("PAID"));

        BigInteger treasury = balance("protocol", "USDC", AccountKind.TREASURY);
        String key = "t-" + UUID.randomUUID();
        Map<String, Object> body = TreasuryRest.body("account", "TREASURY", "token", "USDC", "amount", "1",
                "destination", "acct:ops-treasury", "idempotencyKey", key);
        String id = as("op").contentType("application/json").body(body).post("/api/v1/payouts").then().statusCode(201)
                .body("kind", equalTo("TREASURY_PAYOUT")).extract().jsonPath().getString("id");
        awaitState("/api/v1/payouts/" + id, "PAID");
        assertThat(balance("protocol", "USDC", AccountKind.TREASURY)).isEqualTo(treasury.subtract(MarketFixtures.usdc("1")));
        as("op").contentType("application/json").body(body).post("/api/v1/payouts").then().statusCode(201)
                .header("Idempotent-Replayed", "true").body("id", equalTo(id));
        as("op").contentType("application/json").body(TreasuryRest.body("account", "PROTOCOL_COSTS", "token", "USDC",
                "amount", "1000000000000", "destination", "acct:ops-costs", "idempotencyKey", "t-" + UUID.randomUUID()))
                .post("/api/v1/payouts").then().statusCode(409).body("code", equalTo("INSUFFICIENT_BALANCE"));
        as("op").contentType("application/json").body(TreasuryRest.body("account", "USER", "token", "USDC",
                "amount", "1", "destination", "acct:ops-costs", "idempotencyKey", "t-" + UUID.randomUUID()))
                .post("/api/v1/payouts").then().statusCode(400);
        as("bob").contentType("application/json").body(body).post("/api/v1/payouts").then().statusCode(403);
        as("op").get("/api/v1/payouts?kind=NOPE").then().statusCode(400);
    }

    @Test
    void hostileWithdrawalsAre4xxAndWriteNothing() {
        String bob = sub("bob");
        fx.fund(bob, "USDC", "1");
        Map<String, Object> valid = Map.of("token", "USDC", "amount", "0.01", "destination", "acct:bob-bank",
                "idempotencyKey", "fuzz-" + UUID.randomUUID());
        List<String> bodies = Hostile.bodies(valid, 250, 21L);
        assertThat(bodies).hasSizeGreaterThanOrEqualTo(200);
        String token = KeycloakTokens.user("bob");
        int served = 0;
        for (String body : bodies) {
            String before = written();
            Response r = given().auth().oauth2(token).contentType("application/json").body(body)
                    .post("/api/v1/withdrawals");
            String shown = body.length() > 200 ? body.substring(0, 200) + "..." : body;
            assertThat(r.statusCode()).as("%s answered %s", shown, r.asString()).isLessThan(500).isNotIn(401, 403);
            if (r.statusCode() >= 400) {
                assertThat(written()).as("%s wrote something", shown).isEqualTo(before);
            } else {
                served++; // valid by chance: let it finish before the next comparison
                awaitWithdrawal(r.jsonPath().getString("id"), "PAID");
            }
        }
        assertThat(served).as("valid by chance").isLessThan(bodies.size() / 10);
        List<String> paths = new ArrayList<>();
        Hostile.pathSegments().forEach(paths::add);
        for (String p : paths) {
            int status = as("op").urlEncodingEnabled(false).post("/api/v1/withdrawals/" + p + "/approve").statusCode();
            assertThat(status).as(p).isLessThan(500);
            status = as("op").urlEncodingEnabled(false).get("/api/v1/withdrawals/" + p).statusCode();
            assertThat(status).as(p).isLessThan(500);
        }
    }

    String written() {
        Row r = pool.query("SELECT (SELECT count(*) FROM payout) || '/' || (SELECT count(*) FROM ledger_pending) || '/'"
                + " || (SELECT count(*) FROM ledger_transfer) || '/' || (SELECT count(*) FROM ledger_account) AS w")
                .execute().await().indefinitely().iterator().next();
        return r.getString("w");
    }
}
