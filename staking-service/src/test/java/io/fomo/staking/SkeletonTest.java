package io.fomo.staking;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Issue #18 for staking's main code: one database path ({@code io.fomo.shared.db} only, no reactive SQL client nor
 * Hibernate Reactive imported), SQL text only in {@code *Store.java}, proto types only in {@code *Client}s, rule classes
 * free of frameworks.
 */
class SkeletonTest {

    private static final Path MAIN = Path.of("src/main/java/io/fomo/staking");

    private static final Pattern SQL = Pattern.compile("\"\"\"\\s*(SELECT|INSERT|UPDATE|DELETE)\\b|\"(SELECT|INSERT INTO|UPDATE|DELETE FROM) ");

    private static List<Path> sources() throws IOException {
        try (Stream<Path> files = Files.walk(MAIN)) {
            return files.filter(p -> p.toString().endsWith(".java")).toList();
        }
    }

    @Test
    void noDatabaseClientButTheSharedOne() throws IOException {
        for (Path p : sources()) {
            String text = Files.readString(p);
            assertThat(text).as(p.toString())
                    .doesNotContain("import io.vertx.mutiny.sqlclient").doesNotContain("import io.vertx.sqlclient")
                    .doesNotContain("import io.vertx.pgclient").doesNotContain("import org.hibernate.reactive")
                    .doesNotContain("import io.quarkus.hibernate.reactive");
        }
    }

    @Test
    void sqlOnlyInStores() throws IOException {
        for (Path p : sources()) {
            if (!p.getFileName().toString().endsWith("Store.java")) {
                assertThat(SQL.matcher(Files.readString(p)).find()).as("SQL in %s", p).isFalse();
            }
        }
    }

    @Test
    void protoTypesOnlyInClients() throws IOException {
        for (Path p : sources()) {
            String name = p.getFileName().toString();
            if (!name.endsWith("Client.java") && !name.endsWith("GrpcService.java")) {
                assertThat(Files.readString(p)).as(p.toString()).doesNotContain("import io.fomo.grpc.");
            }
        }
    }

    @Test
    void rulesAreFrameworkFree() throws IOException {
        for (String rule : List.of("stakes/DiscountTiers.java", "rewards/EpochRewards.java", "rewards/RewardSlice.java")) {
            for (String line : Files.readAllLines(MAIN.resolve(rule))) {
                if (line.startsWith("import ")) {
                    assertThat(line).as(rule).matches("import (static )?(java\\.|io\\.fomo\\.shared\\.money\\.|io\\.fomo\\.shared\\.split\\.|io\\.fomo\\.staking\\.).*");
                }
            }
        }
    }
}
