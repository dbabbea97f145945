package io.fomo.billing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Billing's main code keeps issue #18's skeleton: one database path (no Vert.x SQL client, no Hibernate Reactive but
 * through fomo-shared's {@code io.fomo.shared.db}), SQL text only in {@code *Store} classes, no main file over 400
 * lines without a line saying why.
 */
class SkeletonTest {

    static final Path MAIN = Path.of("src/main/java/io/fomo/billing");

    static final Pattern FORBIDDEN_IMPORT = Pattern.compile(
            "^import (static )?(io\\.vertx\\.mutiny\\.sqlclient|io\\.vertx\\.sqlclient|io\\.vertx\\.pgclient|io\\.vertx\\.mutiny\\.pgclient"
                    + "|org\\.hibernate\\.reactive|io\\.quarkus\\.hibernate\\.reactive)\\.", Pattern.MULTILINE);

    static final Pattern SQL = Pattern.compile("(SELECT .+ FROM |INSERT INTO |UPDATE [a-z_]+ SET |DELETE FROM )");

    @Test
    void noMainClassReachesTheDatabaseButThroughTheSharedDb() throws IOException {
        List<String> offenders = new ArrayList<>();
        for (Path f : sources()) {
            if (FORBIDDEN_IMPORT.matcher(Files.readString(f)).find()) {
                offenders.add(f.toString());
            }
        }
        assertThat(offenders).isEmpty();
    }

    @Test
    void sqlTextIsOnlyInStores() throws IOException {
        List<String> offenders = new ArrayList<>();
        for (Path f : sources()) {
            if (f.getFileName().toString().endsWith("Store.java")) {
                continue;
            }
            for (String line : Files.readAllLines(f)) {
                String code = line.strip();
                if (!code.startsWith("*") && !code.startsWith("//") && SQL.matcher(code).find()) {
                    offenders.add(f + ": " + code);
                }
            }
        }
        assertThat(offenders).isEmpty();
    }

    @Test
    void noMainFileIsOver400LinesWithoutSayingWhy() throws IOException {
        List<String> offenders = new ArrayList<>();
        for (Path f : sources()) {
            String text = Files.readString(f);
            if (text.lines().count() > 400 && !text.contains("Why over 400 lines:")) {
                offenders.add(f + " (" + text.lines().count() + " lines)");
            }
        }
        assertThat(offenders).isEmpty();
    }

    static List<Path> sources() throws IOException {
        assertThat(MAIN).isDirectory();
        try (Stream<Path> files = Files.walk(MAIN)) {
            List<Path> out = files.filter(p -> p.toString().endsWith(".java")).toList();
            assertThat(out).hasSizeGreaterThan(20);
            return out;
        }
    }
}
