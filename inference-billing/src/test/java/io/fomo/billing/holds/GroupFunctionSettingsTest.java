package io.fomo.billing.holds;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.fomo.billing.ScratchBilling;
import io.vertx.mutiny.sqlclient.Row;

/**
 * The group functions carry the settings their speed and their plans depend on (V5, V6), after all migrations: a later
 * {@code CREATE OR REPLACE FUNCTION} without these {@code SET} clauses would silently drop them (PostgreSQL replaces a
 * function's settings with the new definition's). Without {@code plan_cache_mode = force_generic_plan} PL/pgSQL plans
 * each statement again at every call (docs/PERFORMANCE.md, billing round 5); without the scan and join settings a plan
 * may scan a growing table or visit rows out of the lock order (V5's header).
 */
class GroupFunctionSettingsTest {

    @Test
    void groupFunctionsKeepTheirPlanSettings() {
        try (ScratchBilling db = new ScratchBilling("fomo_billing_fn_settings", 1)) {
            List<Row> rows = db.rows("""
                    SELECT proname, proconfig FROM pg_proc
                    WHERE proname IN ('billing_authorize_group', 'billing_capture_group') ORDER BY proname""");
            assertThat(rows).extracting(r -> r.getString(0))
                    .containsExactly("billing_authorize_group", "billing_capture_group");
            for (Row r : rows) {
                assertThat(Arrays.asList(r.getArrayOfStrings(1))).as(r.getString(0)).contains(
                        "plan_cache_mode=force_generic_plan", "enable_seqscan=off", "enable_bitmapscan=off",
                        "enable_hashjoin=off", "enable_mergejoin=off");
            }
        }
    }
}
