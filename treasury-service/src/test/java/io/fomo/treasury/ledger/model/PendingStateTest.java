package io.fomo.treasury.ledger.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** {@link PendingState}: its values are exactly those the database allows, and only PENDING moves on. */
class PendingStateTest {

    @Test
    void valuesAreTheOnesTheCheckConstraintAllows() throws IOException {
        String ddl;
        try (InputStream in = getClass().getResourceAsStream("/db/migration/V2__ledger.sql")) {
            ddl = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Matcher m = Pattern.compile("state\\s+text\\s+NOT NULL CHECK \\(state IN \\(([^)]*)\\)\\)").matcher(ddl);
        assertThat(m.find()).as("ledger_pending.state's CHECK constraint in V2__ledger.sql").isTrue();
        String[] allowed = Arrays.stream(m.group(1).split(",")).map(v -> v.trim().replace("'", "")).toArray(String[]::new);
        assertThat(Arrays.stream(PendingState.values()).map(Enum::name)).containsExactlyInAnyOrder(allowed);
    }

    @Test
    void onlyAPendingTransferMovesOnAndEveryOtherStateIsFinal() {
        assertThat(PendingState.PENDING.next()).containsExactlyInAnyOrder(PendingState.POSTED, PendingState.VOIDED,
                PendingState.EXPIRED);
        assertThat(PendingState.PENDING.canMoveTo(PendingState.PENDING)).isFalse();
        for (PendingState s : PendingState.values()) {
            if (s != PendingState.PENDING) {
                assertThat(s.isFinal()).as("%s is final", s).isTrue();
                for (PendingState t : PendingState.values()) {
                    assertThat(s.canMoveTo(t)).as("%s -> %s", s, t).isFalse();
                }
            }
        }
    }
}
