package io.fomo.system;

import org.junit.jupiter.api.Test;

/**
 * SPEC §1's story on the five services as real processes (one of each), told by the demo client through the public
 * interfaces with real Keycloak tokens, and its end state checked to the base unit against the rules
 * ({@link StoryExpectations}).
 */
class StorySystemTest {

    @Test
    void theStoryEndsInTheNumbersTheRulesGive() {
        try (Suite suite = Suite.start("system_test", false)) {
            DemoRun.Outcome outcome = new DemoRun().run(suite);
            StoryExpectations.assertStory(suite, outcome);
        }
    }
}
