package io.fomo.shared.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;

class JobRunTest {

    private static final Logger LOG = Logger.getLogger(JobRunTest.class);

    @Test
    void aFailedRunCompletesEmptyInsteadOfFailingTheScheduler() {
        assertThat(JobRun.guarded(LOG, "test run", () -> Uni.createFrom().failure(new IllegalStateException("down")))
                .await().atMost(Duration.ofSeconds(5))).isNull();
    }

    @Test
    void aRunThatThrowsWhileBuildingIsGuardedToo() {
        assertThat(JobRun.guarded(LOG, "test run", () -> {
            throw new IllegalStateException("no pipeline");
        }).await().atMost(Duration.ofSeconds(5))).isNull();
    }

    @Test
    void aGoodRunRunsOnceAndOnlyWhenSubscribed() {
        AtomicInteger runs = new AtomicInteger();
        Uni<Void> tick = JobRun.guarded(LOG, "test run", () -> Uni.createFrom().item(runs.incrementAndGet()));
        assertThat(runs).hasValue(0);
        tick.await().atMost(Duration.ofSeconds(5));
        assertThat(runs).hasValue(1);
    }
}
