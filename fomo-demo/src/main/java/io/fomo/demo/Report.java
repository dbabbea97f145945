package io.fomo.demo;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/** Prints the story readably: numbered steps, then tables of what the services answered. */
final class Report {

    private final PrintStream out;
    private int step;

    Report(PrintStream out) {
        this.out = out;
    }

    void step(String title) {
        step++;
        out.println();
        out.println("== " + step + ". " + title + " " + "=".repeat(Math.max(3, 90 - title.length())));
    }

    void say(String format, Object... args) {
        out.println("   " + String.format(format, args));
    }

    /** A table of an array of flat JSON objects (nested values are printed compactly); {@code columns} or all. */
    void table(JsonNode rows, String... columns) {
        List<JsonNode> list = new ArrayList<>();
        rows.forEach(list::add);
        if (list.isEmpty()) {
            say("(none)");
            return;
        }
        Set<String> cols = new LinkedHashSet<>(List.of(columns));
        if (cols.isEmpty()) {
            list.forEach(r -> r.fieldNames().forEachRemaining(cols::add));
        }
        List<String> header = new ArrayList<>(cols);
        List<List<String>> cells = new ArrayList<>();
        for (JsonNode r : list) {
            List<String> row = new ArrayList<>();
            for (String c : header) {
                JsonNode v = r.path(c);
                row.add(v.isMissingNode() || v.isNull() ? "" : v.isValueNode() ? v.asText() : v.toString());
            }
            cells.add(row);
        }
        int[] w = new int[header.size()];
        for (int i = 0; i < header.size(); i++) {
            w[i] = header.get(i).length();
            for (List<String> row : cells) {
                w[i] = Math.max(w[i], Math.min(90, row.get(i).length()));
            }
        }
        out.println("   " + line(header, w));
        StringBuilder sep = new StringBuilder();
        for (int x : w) {
            sep.append("-".repeat(x)).append("  ");
        }
        out.println("   " + sep.toString().trim());
        cells.forEach(row -> out.println("   " + line(row, w)));
    }

    /** Key/value lines of one JSON object. */
    void fields(JsonNode obj, String... names) {
        for (String n : names) {
            JsonNode v = obj.path(n);
            say("%-22s %s", n, v.isValueNode() ? v.asText() : v.toString());
        }
    }

    private static String line(List<String> cells, int[] w) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String c = cells.get(i);
            if (c.length() > 90) {
                c = c.substring(0, 87) + "...";
            }
            b.append(String.format("%-" + w[i] + "s  ", c));
        }
        return b.toString().stripTrailing();
    }
}
