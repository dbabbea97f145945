package io.fomo.rmo.support;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The values a text column may hold, as rmo's migrations state them: rmo's state columns have no CHECK constraint;
 * the migration lists each column's values in a comment ({@code -- A | B | C}) on the column's line.
 */
public final class MigrationValues {

    private MigrationValues() {
    }

    /** The values listed on the line of {@code table}'s column {@code column} ({@code NULL (...)} left out). */
    public static Set<String> of(String table, String column) {
        return ofTable("V2__rmo.sql", table, column);
    }

    /** The same, for a table {@code migration} creates. */
    public static Set<String> ofTable(String migration, String table, String column) {
        String sql = read("db/migration/" + migration);
        Matcher t = Pattern.compile("CREATE TABLE " + table + " \\((.*?)\\n\\);", Pattern.DOTALL).matcher(sql);
        if (!t.find()) {
            throw new IllegalStateException("no table " + table + " in " + migration);
        }
        Matcher c = Pattern.compile("(?m)^\\s*" + column + "\\s+text[^\\n]*--\\s*([^\\n]+)$").matcher(t.group(1));
        if (!c.find()) {
            throw new IllegalStateException("no commented text column " + column + " in table " + table + " of " + migration);
        }
        Set<String> values = new TreeSet<>();
        Arrays.stream(c.group(1).split("\\|")).map(String::trim).filter(v -> !v.startsWith("NULL")).forEach(values::add);
        return values;
    }

    /** The values listed on the line of {@code migration}'s {@code ALTER TABLE table ADD COLUMN column text ...}. */
    public static Set<String> ofAddedColumn(String migration, String table, String column) {
        String sql = read("db/migration/" + migration);
        Matcher c = Pattern.compile("(?m)^ALTER TABLE " + table + " ADD COLUMN " + column + " text[^\\n]*--\\s*([^\\n]+)$")
                .matcher(sql);
        if (!c.find()) {
            throw new IllegalStateException("no commented column " + table + "." + column + " added in " + migration);
        }
        Set<String> values = new TreeSet<>();
        Arrays.stream(c.group(1).split("\\|")).map(String::trim).forEach(values::add);
        return values;
    }

    /** The values of {@code migration}'s {@code COMMENT ON COLUMN table.column IS 'A | B | C'}. */
    public static Set<String> ofComment(String migration, String table, String column) {
        String sql = read("db/migration/" + migration);
        Matcher c = Pattern.compile("COMMENT ON COLUMN " + table + "\\." + column + " IS '([^']+)'").matcher(sql);
        if (!c.find()) {
            throw new IllegalStateException("no comment on " + table + "." + column + " in " + migration);
        }
        Set<String> values = new TreeSet<>();
        Arrays.stream(c.group(1).split("\\|")).map(String::trim).forEach(values::add);
        return values;
    }

    public static Set<String> names(Class<? extends Enum<?>> type) {
        Set<String> out = new TreeSet<>();
        for (Enum<?> e : type.getEnumConstants()) {
            out.add(e.name());
        }
        return out;
    }

    private static String read(String resource) {
        try (InputStream in = MigrationValues.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
