package io.fomo.emission.guard;

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
 * SPEC §1/§2: "No floating point touches an amount." The suite's production code has no use for
 * {@code double} or {@code float} at all, so this guard refuses any in the main sources of this module (emission-service: the age factor must be exact decimal arithmetic, SPEC §7)
 * (comments and string literals excepted). Benchmarks live outside {@code src/main} and may use them
 * for latency statistics.
 */
class NoFloatingPointTest {

    private static final Pattern FLOATING = Pattern.compile("\\b(double|float|Double|Float)\\b");

    @Test
    void emissionServiceUsesNoFloatingPointInItsMainSources() throws IOException {
        Path root = Path.of("").toAbsolutePath();
        assertThat(root.resolve("src/main/java/io/fomo/emission")).isDirectory();
        List<String> offences = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> p.toString().contains("/src/main/java/"))
                    .filter(p -> !p.toString().contains("/target/"))
                    .forEach(p -> scan(root, p, offences));
        }
        assertThat(offences).as("floating point in main sources").isEmpty();
    }

    @Test
    void theGuardSeesFloatingPointInCode() {
        List<String> offences = new ArrayList<>();
        scanLines(Path.of("Example.java"), List.of(
                "// a double in a comment is fine",
                "String s = \"a float in a string is fine\";",
                "double price = 0.5;"), offences);
        assertThat(offences).containsExactly("Example.java:3: double price = 0.5;");
    }

    private static void scan(Path root, Path file, List<String> offences) {
        try {
            scanLines(root.relativize(file), Files.readAllLines(file), offences);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void scanLines(Path name, List<String> lines, List<String> offences) {
        boolean inBlockComment = false;
        for (int i = 0; i < lines.size(); i++) {
            String code = lines.get(i);
            StringBuilder kept = new StringBuilder();
            int j = 0;
            while (j < code.length()) {
                if (inBlockComment) {
                    int end = code.indexOf("*/", j);
                    if (end < 0) {
                        j = code.length();
                    } else {
                        inBlockComment = false;
                        j = end + 2;
                    }
                } else if (code.startsWith("/*", j)) {
                    inBlockComment = true;
                    j += 2;
                } else if (code.startsWith("//", j)) {
                    break;
                } else if (code.charAt(j) == '"') {
                    int end = j + 1;
                    while (end < code.length() && code.charAt(end) != '"') {
                        end += code.charAt(end) == '\\' ? 2 : 1;
                    }
                    j = end + 1;
                } else {
                    kept.append(code.charAt(j++));
                }
            }
            if (FLOATING.matcher(kept).find()) {
                offences.add(name + ":" + (i + 1) + ": " + code.trim());
            }
        }
    }
}
