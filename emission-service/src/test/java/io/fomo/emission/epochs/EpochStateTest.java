package io.fomo.emission.epochs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;

import org.junit.jupiter.api.Test;

/** The epoch's and a model's states: their allowed moves, and that the code names them only through the enums. */
class EpochStateTest {

    @Test
    void anEpochMovesForwardOnlyExceptARefusedPlanGoingBackToClaimed() {
        assertThat(EpochState.CLAIMED.next()).containsExactly(EpochState.PLANNED);
        assertThat(EpochState.PLANNED.next()).containsExactlyInAnyOrder(EpochState.PUBLISHED, EpochState.CLAIMED);
        assertThat(EpochState.PUBLISHED.next()).isEmpty();
        assertThat(EpochState.CLAIMED.canMoveTo(EpochState.PUBLISHED)).isFalse();
        assertThat(EnumSet.allOf(EpochState.class)).allMatch(s -> !s.canMoveTo(s));
        assertThat(EpochState.PUBLISHED.unfinished()).isFalse();
        assertThat(EpochState.CLAIMED.unfinished()).isTrue();
        assertThat(EpochState.PLANNED.unfinished()).isTrue();
    }

    @Test
    void aModelsOutcomeIsReadFromItsAllocationAndWhyItIsWithheld() {
        assertThat(ModelOutcome.of(null, null)).isEqualTo(ModelOutcome.UNPLANNED);
        assertThat(ModelOutcome.of(BigInteger.ZERO, null)).isEqualTo(ModelOutcome.NOTHING);
        assertThat(ModelOutcome.of(BigInteger.TEN, null)).isEqualTo(ModelOutcome.PAID);
        assertThat(ModelOutcome.of(BigInteger.TEN, "refused")).isEqualTo(ModelOutcome.WITHHELD);
        assertThat(ModelOutcome.PAID.canMoveTo(ModelOutcome.WITHHELD)).isTrue();
        assertThat(ModelOutcome.WITHHELD.canMoveTo(ModelOutcome.PAID)).isFalse();
        assertThat(ModelOutcome.NOTHING.canMoveTo(ModelOutcome.PAID)).isFalse();
        assertThat(ModelOutcome.UNPLANNED.canMoveTo(ModelOutcome.WITHHELD)).isTrue();
    }

    /** The store binds every state it writes or expects as an {@link EpochState}: no state is spelled in its SQL. */
    @Test
    void theStoreWritesNoStateAsAStringLiteral() throws IOException {
        String store = Files.readString(Path.of("src/main/java/io/fomo/emission/epochs/EpochStore.java"));
        for (EpochState s : EpochState.values()) {
            assertThat(store).doesNotContain("'" + s.name() + "'");
        }
        assertThat(store).contains("EpochState.CLAIMED", "EpochState.PLANNED", "EpochState.PUBLISHED");
    }
}
