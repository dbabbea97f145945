package io.fomo.billing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.fomo.testkit.TestDatabase;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;

/**
 * Every connection of the service's pool plans each statement with the tables' current sizes (the shared
 * configuration's {@code plan_cache_mode = force_custom_plan}, docs/PERFORMANCE.md billing round 5): with cached
 * prepared statements, PostgreSQL's default would freeze a generic plan made while the tables were empty, and
 * Authorize's look-up then read the whole of grpc_request on every call. Asked on several connections at once, so
 * that more than the first one of the pool is seen.
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class PlanCacheModeQuarkusTest {

    @Inject
    Pool pool;

    @Test
    void everyPooledConnectionPlansWithTheCurrentTableSizes() {
        List<Uni<String>> asks = java.util.stream.IntStream.range(0, 6)
                .mapToObj(i -> pool.withConnection(c -> c.query("SELECT current_setting('plan_cache_mode') || ' ' || pg_backend_pid()"
                        + " FROM pg_sleep(0.05)").execute().map(rows -> rows.iterator().next().getString(0))))
                .toList();
        List<String> answers = Uni.join().all(asks).andFailFast().await().atMost(Duration.ofSeconds(30));
        Set<String> backends = new HashSet<>();
        for (String answer : answers) {
            String[] modeAndPid = answer.split(" ");
            assertThat(modeAndPid[0]).isEqualTo("force_custom_plan");
            backends.add(modeAndPid[1]);
        }
        assertThat(backends).as("several pooled connections asked").hasSizeGreaterThan(1);
    }
}
