package io.fomo.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.fomo.testkit.KeycloakTokens;
import io.fomo.testkit.ServiceProcess;

/**
 * The whole suite as real processes, wired to each other the way deploy/local/start.sh wires them, but on free
 * ports, with databases {@code fomo_<service>_<tag>} of their own, the tests' exchange and the test profile's pace
 * (settlement windows and epochs of seconds). Plus the demo's OpenAI-compatible model stand-in, and a way to run
 * the demo story against it all.
 */
final class Suite implements AutoCloseable {

    final String tag;
    final ServiceProcess treasury;
    final ServiceProcess billing;
    final ServiceProcess rmo;
    final ServiceProcess emission;
    final ServiceProcess staking;
    private final Process standIn;
    final int standInPort;
    private final List<ServiceProcess> extra = new ArrayList<>();

    private Suite(String tag) {
        this.tag = tag;
        List<ServiceProcess> started = new ArrayList<>();
        try {
            // billing calls nobody; treasury's audit reconciles with billing; the others call treasury's ledger.
            billing = track(started, ServiceProcess.start("billing", tag, Map.of()));
            treasury = track(started, ServiceProcess.start("treasury", tag, Map.of(
                    "quarkus.grpc.clients.billing.host", "localhost",
                    "quarkus.grpc.clients.billing.port", Integer.toString(billing.grpcPort()))));
            rmo = track(started, ServiceProcess.start("rmo", tag, ledger()));
            emission = track(started, ServiceProcess.start("emission", tag, ledger()));
            Map<String, String> stakingConfig = new HashMap<>(ledger());
            stakingConfig.put("quarkus.grpc.clients.epoch-usage.host", "localhost");
            stakingConfig.put("quarkus.grpc.clients.epoch-usage.port", Integer.toString(billing.grpcPort()));
            staking = track(started, ServiceProcess.start("staking", tag, stakingConfig));
            standInPort = freePort();
            standIn = startStandIn(standInPort);
        } catch (RuntimeException e) {
            started.forEach(ServiceProcess::close);
            throw e;
        }
    }

    static Suite start(String tag) {
        return new Suite(tag);
    }

    private static ServiceProcess track(List<ServiceProcess> started, ServiceProcess p) {
        started.add(p);
        return p;
    }

    /** The ledger client of rmo, staking and emission, pointed at this suite's treasury. */
    Map<String, String> ledger() {
        return Map.of("quarkus.grpc.clients.ledger.host", "localhost",
                "quarkus.grpc.clients.ledger.port", Integer.toString(treasury.grpcPort()));
    }

    /** A second replica of {@code service} on the same database and broker (SPEC §10 "any number of replicas"). */
    ServiceProcess replica(ServiceProcess of, Map<String, String> config) {
        ServiceProcess p = ServiceProcess.startOn(of.service(), of.database(), config);
        extra.add(p);
        return p;
    }

    String standInUrl() {
        return "http://127.0.0.1:" + standInPort + "/v1";
    }

    /** Runs the demo story (fomo-demo) against this suite; returns its exit code, output in {@code out}. */
    int runStory(Path out, Path summary, Duration timeout) {
        Map<String, String> env = new HashMap<>();
        env.put("FOMO_TREASURY_URL", treasury.url());
        env.put("FOMO_RMO_URL", rmo.url());
        env.put("FOMO_BILLING_URL", billing.url());
        env.put("FOMO_STAKING_URL", staking.url());
        env.put("FOMO_EMISSION_URL", emission.url());
        env.put("FOMO_KEYCLOAK_URL", KeycloakTokens.baseUrl());
        env.put("FOMO_STANDIN_URL", standInUrl());
        env.put("FOMO_DEMO_OFFERING_WINDOW", "PT8S");
        List<String> cmd = List.of(java(), "-Xmx128m", "-Dfomo.billing.grpc-port=" + billing.grpcPort(),
                "-Dfomo.rmo.grpc-port=" + rmo.grpcPort(), "-jar", demoJar().toString(), "story", "--summary",
                summary.toAbsolutePath().toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("the story did not end within " + timeout + "; see " + out.toAbsolutePath());
            }
            return p.exitValue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (standIn != null) {
            standIn.destroyForcibly();
        }
        extra.forEach(ServiceProcess::close);
        for (ServiceProcess p : List.of(staking, emission, rmo, billing, treasury)) {
            p.close();
        }
    }

    private static Process startStandIn(int port) {
        try {
            Path log = Path.of("target", "it-logs", "standin.log");
            Files.createDirectories(log.getParent());
            Process p = new ProcessBuilder(java(), "-Xmx64m", "-jar", demoJar().toString(), "standin", Integer.toString(port))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path demoJar() {
        Path jar = ServiceProcess.projectRoot().resolve("fomo-demo/target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build fomo-demo first");
        }
        return jar;
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    private static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
