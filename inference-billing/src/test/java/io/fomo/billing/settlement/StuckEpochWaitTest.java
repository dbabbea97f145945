package io.fomo.billing.settlement;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.fomo.billing.ScratchBilling;
import io.fomo.shared.events.Outbox;
import io.fomo.shared.ops.StuckWork;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * {@code fomo.billing.epoch-close.stuck-wait} on a scratch database (no Quarkus): an epoch with a stuck deployment
 * (a window sum beyond int64) waits while the wait lasts, then closes without it; the other deployment's window settles
 * at once and its epoch totals are in the epoch.
 */
class StuckEpochWaitTest {

    static ScratchBilling db;

    @BeforeAll
    static void start() {
        db = new ScratchBilling("fomo_billing_stuck", 4);
    }

    @AfterAll
    static void stop() {
        if (db != null) {
            db.close();
        }
    }

    static void capture(String deployment, long window, long inputTokens, long charged) {
        db.rows("""
                INSERT INTO capture (hold_id, user_id, deployment_id, input_tokens, output_tokens, gross, charged, compute, net,
                                     discount_bps, captured_at, window_idx, epoch_idx)
                VALUES ($1, 'u', $2, $3, 0, $4, $4, 0, $4, 0, now(), $5, $5 / 2)""",
                UUID.randomUUID(), deployment, inputTokens, new java.math.BigDecimal(charged), window);
    }

    static long count(String sql, Object... params) {
        return db.rows(sql, params).get(0).getLong(0);
    }

    @Test
    void anEpochWaitsForAStuckDeploymentThenClosesWithoutIt() {
        // 1 s windows, 2 s epochs, no grace, no settle delay; the epoch waits 60 s for a stuck deployment
        BillingClock clock = new BillingClock(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ZERO, Duration.ZERO);
        StuckWork stuck = new StuckWork(new SimpleMeterRegistry());
        ObjectMapper mapper = new ObjectMapper().findAndRegisterModules().disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        SettlementService settler = new SettlementService(db.billingDb, clock, new Outbox(mapper, "inference-billing"), stuck, Duration.ofSeconds(60));
        long window = 1_000_000; // epoch 500,000
        capture("healthy", window, 1_000, 5);
        capture("poison", window, Long.MAX_VALUE / 2 + 1, 0);
        capture("poison", window, Long.MAX_VALUE / 2 + 1, 0);
        Instant epochEnd = clock.epochStart(500_001);

        assertThat(settler.settleWindows(epochEnd.plusMillis(10)).await().indefinitely()).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM window_settlement WHERE deployment_id = 'healthy'")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM window_pending WHERE deployment_id = 'poison'")).isEqualTo(1);
        assertThat(stuck.list()).extracting(StuckWork.Item::key).containsExactly("poison");

        // within the wait: the epoch stays open (and so would every later one)
        assertThat(settler.closeEpochs(epochEnd.plusSeconds(59)).await().indefinitely()).isZero();
        assertThat(count("SELECT count(*) FROM epoch")).isZero();
        assertThat(count("SELECT count(*) FROM fomo_outbox WHERE type = 'EpochClosed'")).isZero();

        // past it: the epoch closes once, without the stuck deployment, which is recorded with the reason
        assertThat(settler.closeEpochs(epochEnd.plusSeconds(61)).await().indefinitely()).isEqualTo(1);
        assertThat(settler.closeEpochs(epochEnd.plusSeconds(62)).await().indefinitely()).isZero();
        assertThat(count("SELECT count(*) FROM epoch WHERE epoch_idx = 500000")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM epoch_model WHERE epoch_idx = 500000 AND deployment_id = 'healthy'")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM epoch_model WHERE deployment_id = 'poison'")).isZero();
        assertThat(db.rows("SELECT reason FROM epoch_excluded WHERE epoch_idx = 500000 AND deployment_id = 'poison'").get(0)
                .getString(0)).contains("ArithmeticException");
        String event = db.rows("SELECT envelope FROM fomo_outbox WHERE event_id = 'EpochClosed:500000'").get(0).getString(0);
        assertThat(event).contains("healthy").doesNotContain("poison");
        assertThat(count("SELECT count(*) FROM fomo_outbox WHERE type = 'EpochClosed'")).isEqualTo(1);

        // the stuck deployment is retried at every run and stays reported until repaired
        settler.settleWindows(epochEnd.plusSeconds(63)).await().indefinitely();
        assertThat(stuck.list().get(0).attempts()).isGreaterThanOrEqualTo(2);
        db.rows("UPDATE capture SET input_tokens = 1 WHERE deployment_id = 'poison'");
        settler.settleWindows(epochEnd.plusSeconds(64)).await().indefinitely();
        assertThat(stuck.list()).isEmpty();
        assertThat(count("SELECT input_tokens::bigint FROM window_settlement WHERE deployment_id = 'poison'")).isEqualTo(2);
    }
}
