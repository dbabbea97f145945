package io.fomo.billing.holds;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.fomo.billing.ScratchBilling;
import io.fomo.billing.settlement.BillingClock;
import io.fomo.grpc.billing.v1.AuthorizeRequest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;

/**
 * Hold expiry takes the wallets' row locks in the same order as the grouped Authorize and Capture calls (user id,
 * V5's lock order), so an expiry run and groups that share wallets never wait on each other in a circle. Each round
 * gives every wallet expired holds, then runs an expiry and a burst of Authorize calls on the same wallets at once
 * (gathered into groups). A deadlock would abort one side: the expiry run (its Uni fails) or a group (counted as a
 * failed group, whose calls then run alone); neither may happen, and every expired hold comes back exactly once.
 */
class HoldExpiryLockOrderTest {

    static final int USERS = 24;
    static final int ROUNDS = 150;
    static final int EXPIRED_PER_USER = 3;
    static final long FUNDS = 1_000_000_000_000L;
    static final long EXPIRED_AMOUNT = 1_000;

    @Test
    void expiryAndGroupsSharingWalletsNeverDeadlock() {
        try (ScratchBilling db = new ScratchBilling("fomo_billing_expiry_order", 12)) {
            BillingClock clock = new BillingClock(Duration.ofHours(1), Duration.ofDays(1), Duration.ZERO, Duration.ZERO);
            ProtoHolds holds = new ProtoHolds(db.billingDb, clock, Duration.ofMinutes(10), 2500, Clock.systemUTC());
            db.rows("""
                    INSERT INTO deployment (id, symbol, owner_id, model_id, input_price, output_price, input_cost, output_cost)
                    VALUES ('dep-exp', 'EXP', 'alice', 'm', 500000, 1500000, 200000, 600000)""");
            List<String> users = new ArrayList<>();
            for (int u = 0; u < USERS; u++) {
                users.add(String.format("u-%02d", u));
            }
            db.rows("INSERT INTO wallet (user_id, available, topped_up, topups) SELECT u, $2, $2, 1 FROM unnest($1::text[]) u",
                    users.toArray(String[]::new), FUNDS);
            Random random = new Random(42);
            int expiredInAll = 0;
            int authorized = 0;

            for (int round = 0; round < ROUNDS; round++) {
                // expired holds on every wallet (what Authorize would have left behind an hour ago)
                db.rows("""
                        WITH h AS (
                            INSERT INTO hold (id, user_id, deployment_id, amount, discount_bps, input_price, output_price,
                                              input_cost, output_cost, max_input, max_output, state, created_at, expires_at)
                            SELECT gen_random_uuid(), u, 'dep-exp', $2, 0, 500000, 1500000, 200000, 600000, 1, 1, 'HELD',
                                   now() - interval '1 hour', now() - interval '1 minute'
                            FROM unnest($1::text[]) u, generate_series(1, $3)
                            RETURNING user_id, amount)
                        UPDATE wallet SET available = available - s.total, held = held + s.total
                        FROM (SELECT user_id, sum(amount) AS total FROM h GROUP BY user_id) s WHERE wallet.user_id = s.user_id""",
                        users.toArray(String[]::new), EXPIRED_AMOUNT, EXPIRED_PER_USER);

                List<String> order = new ArrayList<>(users);
                Collections.shuffle(order, random);
                List<Uni<Integer>> calls = new ArrayList<>();
                calls.add(holds.expireDue(10_000));
                for (String user : order) {
                    calls.add(holds.authorize(AuthorizeRequest.newBuilder().setRequestId("a-" + UUID.randomUUID())
                            .setUserId(user).setDeploymentId("dep-exp").setMaxInputTokens(100).setMaxOutputTokens(100)
                            .build()).map(r -> 0));
                }
                List<Integer> results = Uni.join().all(calls).andFailFast().await().atMost(Duration.ofSeconds(60));
                int expired = results.get(0);
                // an expiry that ran while another held its try-lock would return 0: the next round's run takes the rest
                expiredInAll += expired;
                authorized += USERS;
            }
            expiredInAll += holds.expireDue(10_000).await().atMost(Duration.ofSeconds(30));

            assertThat(expiredInAll).as("every expired hold comes back exactly once").isEqualTo(USERS * EXPIRED_PER_USER * ROUNDS);
            GroupCommit<?, ?> authorizeGroups = holds.groupCommits().get("authorize");
            assertThat(authorizeGroups.failedGroups()).as("authorize groups aborted (deadlock)").isZero();
            assertThat(authorizeGroups.calls()).as("the Authorize calls were grouped").isGreaterThan(authorizeGroups.groups());
            assertThat(holds.groupCommits().get("lookup").failedGroups()).isZero();
            assertThat(authorized).isEqualTo(USERS * ROUNDS);

            for (Row w : db.rows("""
                    SELECT w.user_id, w.available, w.held, w.topped_up, w.charged,
                           coalesce((SELECT sum(amount) FROM hold h WHERE h.user_id = w.user_id AND h.state = 'HELD'), 0)
                    FROM wallet w""")) {
                BigInteger available = w.getBigDecimal(1).toBigIntegerExact();
                BigInteger held = w.getBigDecimal(2).toBigIntegerExact();
                assertThat(held).as(w.getString(0) + ": held = Σ HELD holds").isEqualTo(w.getBigDecimal(5).toBigIntegerExact());
                assertThat(available.add(held)).as(w.getString(0) + ": available + held = topped up − charged")
                        .isEqualTo(w.getBigDecimal(3).toBigIntegerExact().subtract(w.getBigDecimal(4).toBigIntegerExact()));
                assertThat(db.rows("SELECT count(*) FROM hold WHERE user_id = $1 AND state = 'EXPIRED'", w.getString(0))
                        .get(0).getLong(0)).isEqualTo((long) EXPIRED_PER_USER * ROUNDS);
            }
        }
    }
}
