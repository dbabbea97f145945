package io.fomo.system;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.testkit.ServiceProcess;

/**
 * The demo client (fomo-demo's built quarkus-app, {@code story --summary FILE}) as a process against a {@link Suite}:
 * the same story the README's start command tells, through the public REST and gRPC interfaces with real tokens.
 * Its output goes to {@code target/it-logs/demo-<run>.log}; a test can react to a line (e.g. a step's title) while the
 * story goes on, to crash a service at that point.
 */
final class DemoRun {

    static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Consumer<String>> onLine = new LinkedHashMap<>();
    private String stopAt;

    /** Runs {@code action} (on the output reader's thread, so the story keeps going) at the first line containing {@code text}. */
    DemoRun when(String text, Consumer<String> action) {
        onLine.put(text, action);
        return this;
    }

    /** Stops the story (ends the demo's process) at the first line containing {@code text}: a test of its first part. */
    DemoRun stopAt(String text) {
        stopAt = text;
        return this;
    }

    /** The story's outcome: the demo's exit code (0: audit ok), its summary JSON and its output. */
    record Outcome(int exitCode, JsonNode summary, List<String> output) {
    }

    Outcome run(Suite suite) {
        Path root = ServiceProcess.projectRoot();
        Path jar = root.resolve("fomo-demo/target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build fomo-demo first");
        }
        try {
            Path logs = Files.createDirectories(Path.of("target", "it-logs"));
            Path summary = logs.resolve("demo-" + suite.run + "-summary.json");
            Files.deleteIfExists(summary);
            List<String> cmd = new ArrayList<>();
            cmd.add(ProcessHandle.current().info().command().orElse("java"));
            cmd.add("-Xmx256m");
            suite.demoProperties().forEach((k, v) -> cmd.add("-D" + k + "=" + v));
            cmd.addAll(List.of("-jar", jar.toString(), "story", "--summary", summary.toAbsolutePath().toString()));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().putAll(suite.demoEnvironment());
            Process p = pb.start();
            Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
            List<String> output = new ArrayList<>();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                    PrintWriter log = new PrintWriter(Files.newBufferedWriter(logs.resolve("demo-" + suite.run + ".log")), true)) {
                String line;
                while ((line = in.readLine()) != null) {
                    log.println(line);
                    output.add(line);
                    if (stopAt != null && line.contains(stopAt)) {
                        log.println(">>> system test: stopping the story at \"" + stopAt + "\"");
                        p.destroy();
                        break;
                    }
                    for (var it = onLine.entrySet().iterator(); it.hasNext();) {
                        var e = it.next();
                        if (line.contains(e.getKey())) {
                            it.remove();
                            log.println(">>> system test: reacting to \"" + e.getKey() + "\"");
                            e.getValue().accept(line);
                            log.println(">>> system test: done reacting to \"" + e.getKey() + "\"");
                        }
                    }
                }
            } finally {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
            JsonNode json = Files.isRegularFile(summary) ? JSON.readTree(summary.toFile()) : JSON.nullNode();
            return new Outcome(p.exitValue(), json, output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
