package io.fomo.billing.holds;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/**
 * {@link HoldState} says what the database says: its values are exactly those of {@code hold.state}'s CHECK (V2), every
 * state the migrations' SQL writes ({@code state = '...'}) is one of them, and the only moves are HELD → CAPTURED /
 * RELEASED / EXPIRED.
 */
class HoldStateTest {

    static final String[] MIGRATIONS = {"V2__billing.sql", "V4__hot_path_functions.sql", "V5__group_commit.sql",
            "V7__capture_fewer_writes.sql", "V9__capture_never_free.sql"};

    @Test
    void theValuesAreThoseOfTheHoldStateCheck() throws IOException {
        String v2 = migration("V2__billing.sql");
        Matcher check = Pattern.compile("state\\s+text NOT NULL CHECK \\(state IN \\(([^)]*)\\)\\)").matcher(v2);
        assertThat(check.find()).as("hold.state's CHECK in V2").isTrue();
        Set<String> allowed = Arrays.stream(check.group(1).split(",")).map(s -> s.trim().replace("'", ""))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(allowed).containsExactlyInAnyOrderElementsOf(names(EnumSet.allOf(HoldState.class)));
    }

    @Test
    void everyStateTheSqlWritesIsAHoldState() throws IOException {
        Set<String> written = new TreeSet<>();
        Pattern literal = Pattern.compile("state = '([A-Z_]+)'");
        for (String m : MIGRATIONS) {
            Matcher x = literal.matcher(migration(m));
            while (x.find()) {
                written.add(x.group(1));
            }
        }
        assertThat(written).isNotEmpty();
        assertThat(names(EnumSet.allOf(HoldState.class))).containsAll(written);
    }

    @Test
    void onlyAHeldHoldMoves() {
        assertThat(HoldState.HELD.next()).containsExactlyInAnyOrder(HoldState.CAPTURED, HoldState.RELEASED, HoldState.EXPIRED);
        for (HoldState s : EnumSet.complementOf(EnumSet.of(HoldState.HELD))) {
            assertThat(s.next()).as(s + " is final").isEmpty();
            assertThat(HoldState.HELD.canMoveTo(s)).isTrue();
            assertThat(s.canMoveTo(HoldState.HELD)).isFalse();
        }
        assertThat(HoldState.HELD.canMoveTo(HoldState.HELD)).isFalse();
    }

    @Test
    void everyStateHasItsProtoValue() {
        for (HoldState s : HoldState.values()) {
            assertThat(HoldGrpcService.proto(s).name()).isEqualTo("HOLD_STATE_" + s.name());
        }
    }

    static Set<String> names(Set<HoldState> states) {
        return states.stream().map(Enum::name).collect(Collectors.toCollection(TreeSet::new));
    }

    static String migration(String name) throws IOException {
        try (InputStream in = HoldStateTest.class.getResourceAsStream("/db/migration/" + name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
