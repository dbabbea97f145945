package io.fomo.shared.guard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Issue #18's skeleton, checked over every service's main sources (docs/DESIGN.md "The skeleton"):
 * <ul>
 *   <li>SQL text only in a {@code *Store} class (in fomo-shared: the db and events infrastructure);</li>
 *   <li>generated proto types ({@code io.fomo.grpc.*}) only in a gRPC endpoint ({@code *GrpcService}), a gRPC client
 *       ({@code *Client}) or the shared gRPC and ledger-client packages;</li>
 *   <li>one database path: no service imports the Vert.x SQL client or Hibernate Reactive; all of them reach their
 *       database through {@code io.fomo.shared.db};</li>
 *   <li>the rule classes import no framework: only the JDK, the shared money and split rules, and their own service
 *       (a list of what is allowed, not of what is forbidden);</li>
 *   <li>no main file over 400 lines without a {@code Why over 400 lines:} line saying why.</li>
 * </ul>
 */
class SkeletonGuardTest {

    static final List<String> SERVICES = List.of("rmo-service", "inference-billing", "staking-service",
            "emission-service", "treasury-service");

    /** SQL statements as they start inside a string literal or text block. */
    private static final Pattern SQL = Pattern.compile(
            "^\\s*(SELECT|INSERT|UPDATE|DELETE|WITH|CALL)\\s|^\\s*UPDATE\\s*$|(^|[^A-Za-z_])(SELECT\\s.*\\sFROM\\s|SELECT\\s+\\*"
                    + "|INSERT\\s+INTO\\s|UPDATE\\s+\\S+\\s+SET\\s|DELETE\\s+FROM\\s|ON\\s+CONFLICT)",
            Pattern.DOTALL);

    private static final Pattern PROTO_IMPORT = Pattern.compile("^import\\s+(static\\s+)?io\\.fomo\\.grpc\\.");

    private static final Pattern SECOND_DB_PATH = Pattern.compile(
            "^import\\s+(static\\s+)?(io\\.vertx\\.(mutiny\\.)?sqlclient|io\\.vertx\\.(mutiny\\.)?pgclient|org\\.hibernate\\.reactive|io\\.quarkus\\.hibernate\\.reactive)\\.");

    /** What a rule class may import: the JDK, the shared money and split rules, and its own service's classes. */
    private static final Pattern RULE_IMPORT = Pattern.compile(
            "^import\\s+(static\\s+)?(java\\.|io\\.fomo\\.shared\\.(money|split)\\.|io\\.fomo\\.(?<own>[a-z]+)\\.)");

    /** Each service's own root package under {@code io.fomo}. */
    static final Map<String, String> OWN_PACKAGE = Map.of("rmo-service", "rmo", "inference-billing", "billing",
            "staking-service", "staking", "emission-service", "emission", "treasury-service", "treasury");

    /**
     * The spec's rules, by service: framework-free classes a reader holds next to SPEC.md. A name here that no longer
     * exists fails the test, so the list cannot rot.
     */
    static final Map<String, Set<String>> RULE_CLASSES = Map.of(
            "inference-billing", Set.of("Pricing", "Charge"),
            "rmo-service", Set.of("ProRata", "LaunchPlan", "VestingSchedule"),
            "staking-service", Set.of("DiscountTiers", "EpochRewards", "RewardSlice"),
            "emission-service", Set.of("AgeFactor", "DeploymentScore", "EmissionAllocation"),
            "treasury-service", Set.of("RevenueSplit", "SwapMath", "Twap", "Buybacks"));

    /**
     * Classes that may use proto types besides endpoints and clients, each with its reason: treasury's are the Ledger
     * endpoint's own translation, split out of {@code LedgerGrpcService} for size.
     */
    static final Map<String, Set<String>> PROTO_ALSO_IN = Map.of(
            "treasury-service", Set.of("ProtoMapping", "OperationMapper"));

    static final int MAX_LINES = 400;

    @Test
    void sqlLivesOnlyInStores() {
        List<String> offences = new ArrayList<>();
        forEachMainFile((module, file, text) -> {
            String name = file.getFileName().toString();
            if (name.endsWith("Store.java") || sharedInfrastructure(module, file)) {
                return;
            }
            for (String literal : literals(text)) {
                if (SQL.matcher(literal).find()) {
                    offences.add(module + "/" + name + ": " + firstLine(literal));
                }
            }
        });
        assertThat(offences).as("SQL outside a *Store class").isEmpty();
    }

    @Test
    void protoTypesStayAtTheGrpcEdge() {
        List<String> offences = new ArrayList<>();
        forEachMainFile((module, file, text) -> {
            String name = file.getFileName().toString();
            if (name.endsWith("GrpcService.java") || name.endsWith("Client.java") || module.equals("fomo-shared")
                    || PROTO_ALSO_IN.getOrDefault(module, Set.of()).contains(name.replace(".java", ""))) {
                return;
            }
            text.lines().filter(l -> PROTO_IMPORT.matcher(l).find())
                    .forEach(l -> offences.add(module + "/" + name + ": " + l));
        });
        assertThat(offences).as("proto types outside gRPC endpoints and clients").isEmpty();
    }

    @Test
    void everyServiceReachesItsDatabaseOneWay() {
        List<String> offences = new ArrayList<>();
        forEachMainFile((module, file, text) -> {
            if (module.equals("fomo-shared")) {
                return;
            }
            text.lines().filter(l -> SECOND_DB_PATH.matcher(l).find())
                    .forEach(l -> offences.add(module + "/" + file.getFileName() + ": " + l));
        });
        assertThat(offences).as("a second database path in a service (use io.fomo.shared.db)").isEmpty();
    }

    @Test
    void ruleClassesImportNoFramework() {
        List<String> offences = new ArrayList<>();
        List<String> found = new ArrayList<>();
        forEachMainFile((module, file, text) -> {
            String simple = file.getFileName().toString().replace(".java", "");
            if (!RULE_CLASSES.getOrDefault(module, Set.of()).contains(simple)) {
                return;
            }
            found.add(module + ":" + simple);
            text.lines().filter(l -> l.startsWith("import ") && !allowedInRule(module, l))
                    .forEach(l -> offences.add(module + "/" + simple + ": " + l));
        });
        List<String> expected = new ArrayList<>();
        RULE_CLASSES.forEach((m, names) -> names.forEach(n -> expected.add(m + ":" + n)));
        assertThat(found).as("rule classes the guard knows").containsExactlyInAnyOrderElementsOf(expected);
        assertThat(offences).as("framework imports in rule classes").isEmpty();
    }

    @Test
    void noMainFileIsLongWithoutAReason() {
        List<String> offences = new ArrayList<>();
        forEachMainFile((module, file, text) -> {
            long lines = text.lines().count();
            if (lines > MAX_LINES && !text.contains("Why over 400 lines:")) {
                offences.add(module + "/" + file.getFileName() + ": " + lines + " lines");
            }
        });
        assertThat(offences).as("main files over " + MAX_LINES + " lines without a reason in their header").isEmpty();
    }

    @Test
    void theGuardSeesSqlInTextBlocksAndStringsButNotInComments() {
        String source = """
                // SELECT a FROM b in a comment is fine
                /* INSERT INTO x in a block comment too */
                String a = "UPDATE offering SET state = 'LIVE'";
                String b = \"""
                        SELECT id
                          FROM hold\""";
                String c = "select is a word";
                String d = "SELECT pg_try_advisory_lock($1)";
                String e = "UPDATE " + table + " SET x = 1";
                String f = "UPDATE reward_job2 SET state = 'DONE'";
                String g = "Why SELECT in a sentence is no statement";
                """;
        List<String> hits = literals(source).stream().filter(l -> SQL.matcher(l).find()).toList();
        assertThat(hits).hasSize(5);
        assertThat(SECOND_DB_PATH.matcher("import io.vertx.mutiny.sqlclient.Pool;").find()).isTrue();
        assertThat(SECOND_DB_PATH.matcher("import org.hibernate.reactive.mutiny.Mutiny;").find()).isTrue();
        assertThat(SECOND_DB_PATH.matcher("import io.fomo.shared.db.Tx;").find()).isFalse();
        assertThat(PROTO_IMPORT.matcher("import io.fomo.grpc.treasury.v1.TransferRequest;").find()).isTrue();
        assertThat(allowedInRule("treasury-service", "import java.math.BigInteger;")).isTrue();
        assertThat(allowedInRule("treasury-service", "import io.fomo.shared.money.Amount;")).isTrue();
        assertThat(allowedInRule("treasury-service", "import io.fomo.treasury.market.PoolSnapshot;")).isTrue();
        assertThat(allowedInRule("treasury-service", "import io.fomo.billing.pricing.Pricing;")).isFalse();
        assertThat(allowedInRule("treasury-service", "import io.fomo.shared.db.Tx;")).isFalse();
        assertThat(allowedInRule("treasury-service", "import jakarta.inject.Inject;")).isFalse();
        assertThat(allowedInRule("treasury-service", "import org.apache.commons.lang3.StringUtils;")).isFalse();
    }

    static boolean allowedInRule(String module, String importLine) {
        var m = RULE_IMPORT.matcher(importLine);
        if (!m.find()) {
            return false;
        }
        String own = m.group("own");
        return own == null || own.equals(OWN_PACKAGE.get(module));
    }

    private static boolean sharedInfrastructure(String module, Path file) {
        return module.equals("fomo-shared") && (file.toString().contains("/shared/db/") || file.toString().contains("/shared/events/"));
    }

    private static String firstLine(String literal) {
        String t = literal.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl) + " …";
    }

    /** The contents of every string literal and text block of a Java source, comments skipped. */
    static List<String> literals(String code) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = code.length();
        while (i < n) {
            if (code.startsWith("//", i)) {
                int end = code.indexOf('\n', i);
                i = end < 0 ? n : end + 1;
            } else if (code.startsWith("/*", i)) {
                int end = code.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else if (code.startsWith("\"\"\"", i)) {
                int end = code.indexOf("\"\"\"", i + 3);
                while (end > 0 && code.charAt(end - 1) == '\\') {
                    end = code.indexOf("\"\"\"", end + 3);
                }
                out.add(code.substring(i + 3, end < 0 ? n : end));
                i = end < 0 ? n : end + 3;
            } else if (code.charAt(i) == '"') {
                int end = i + 1;
                while (end < n && code.charAt(end) != '"' && code.charAt(end) != '\n') {
                    end += code.charAt(end) == '\\' ? 2 : 1;
                }
                out.add(code.substring(i + 1, Math.min(end, n)));
                i = end + 1;
            } else if (code.charAt(i) == '\'') {
                int end = i + 1;
                while (end < n && code.charAt(end) != '\'' && code.charAt(end) != '\n') {
                    end += code.charAt(end) == '\\' ? 2 : 1;
                }
                i = end + 1;
            } else {
                i++;
            }
        }
        return out;
    }

    interface FileCheck {
        void check(String module, Path file, String text) throws IOException;
    }

    private static void forEachMainFile(FileCheck check) {
        Path root = Path.of("..").toAbsolutePath().normalize();
        assertThat(root.resolve("pom.xml")).exists();
        List<String> modules = new ArrayList<>(SERVICES);
        modules.add("fomo-shared");
        for (String module : modules) {
            Path main = root.resolve(module).resolve("src/main/java");
            try (Stream<Path> files = Files.walk(main)) {
                List<Path> sources = files.filter(f -> f.toString().endsWith(".java")).toList();
                assertThat(sources).as("main sources of %s (a guard over an empty tree proves nothing)", module)
                        .hasSizeGreaterThan(10);
                for (Path p : sources) {
                    check.check(module, p, Files.readString(p));
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
