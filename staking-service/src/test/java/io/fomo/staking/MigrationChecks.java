package io.fomo.staking;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The values a {@code CHECK (<column> IN (...))} of this service's migrations allows, read from the migration text. */
public final class MigrationChecks {

    private static final String MIGRATION = "db/migration/V2__staking.sql";

    private MigrationChecks() {
    }

    public static List<String> allowed(String table, String column) {
        String sql;
        try (InputStream in = MigrationChecks.class.getClassLoader().getResourceAsStream(MIGRATION)) {
            sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("cannot read " + MIGRATION, e);
        }
        Matcher t = Pattern.compile("CREATE TABLE " + table + " \\((.*?)\\n\\);", Pattern.DOTALL).matcher(sql);
        if (!t.find()) {
            throw new IllegalStateException("no table " + table + " in " + MIGRATION);
        }
        Matcher c = Pattern.compile("\\b" + column + "\\s+text\\s+NOT NULL\\s+CHECK \\(" + column + " IN \\(([^)]*)\\)\\)").matcher(t.group(1));
        if (!c.find()) {
            throw new IllegalStateException("no CHECK on " + table + "." + column);
        }
        return Arrays.stream(c.group(1).split(",")).map(v -> v.trim().replace("'", "")).toList();
    }
}
