package io.fomo.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Another FOMO service as a real process, for the tests of a service that talks to it (rmo, staking and emission
 * call treasury's ledger) and for the system tests: it runs the service's built {@code quarkus-app} (so the
 * module must come earlier in the reactor: declare it as a test dependency, see the consuming module's pom)
 * on free HTTP, gRPC and management ports, against its own freshly created database {@code fomo_<service>_<dbSuffix>},
 * the tests' RabbitMQ exchange and vhost (profile {@code test}: unique auto-delete queues, fast schedulers) and
 * the Keycloak of {@code FOMO_KEYCLOAK_URL}.
 *
 * <p>The process's output goes to {@code target/it-logs/<service>-<n>.log} of the calling module. {@link #close()}
 * stops it (SIGTERM, then SIGKILL after 15 s), and a JVM shutdown hook makes sure no process outlives the tests.
 * {@link #kill9()} and {@link #restart()} serve crash tests: the database survives a restart.
 */
public final class ServiceProcess implements AutoCloseable {

    /** The services of the suite: short name (as in {@code fomo.service}) to Maven module. */
    public static final Map<String, String> MODULES = Map.of(
            "treasury", "treasury-service",
            "rmo", "rmo-service",
            "billing", "inference-billing",
            "staking", "staking-service",
            "emission", "emission-service");

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(
            Long.parseLong(TestDatabase.env("FOMO_IT_READY_TIMEOUT_S", "180")));
    private static int counter;

    private final String service;
    private final String database;
    private final Map<String, String> config;
    private final int httpPort;
    private final int grpcPort;
    private final int managementPort;
    private final Path log;
    private Process process;

    private ServiceProcess(String service, String database, Map<String, String> config, Path log) {
        this.service = service;
        this.database = database;
        this.config = config;
        this.httpPort = freePort();
        this.grpcPort = freePort();
        this.managementPort = freePort();
        this.log = log;
    }

    /**
     * Starts {@code service} ("treasury", "rmo", ...) with a fresh database {@code fomo_<service>_<dbSuffix>}
     * and waits until {@code /q/health/ready} answers 200 on its management port. {@code config} adds or overrides Quarkus properties
     * (passed as system properties, so they win over every file).
     */
    public static ServiceProcess start(String service, String dbSuffix, Map<String, String> config) {
        String database = "fomo_" + service + "_" + dbSuffix;
        requireService(service);
        TestDatabase.recreate(database, "fomo_" + service);
        return startOn(service, database, config);
    }

    /**
     * Starts {@code service} on an existing database, e.g. a second replica beside the {@code @QuarkusTest}
     * app on its {@code fomo_<service>_test} (then both consume their own copy of every test event: the
     * exactly-once-across-replicas case).
     */
    public static ServiceProcess startOn(String service, String database, Map<String, String> config) {
        requireService(service);
        Path logDir = Path.of("target", "it-logs");
        int n;
        synchronized (ServiceProcess.class) {
            n = ++counter;
        }
        try {
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ServiceProcess p = new ServiceProcess(service, database, Map.copyOf(config),
                logDir.resolve(service + "-" + n + ".log"));
        p.launch();
        return p;
    }

    /**
     * The RabbitMQ exchange of a module's tests: {@code fomo.events.test.<service>} (shared config
     * {@code %test.fomo.events.exchange}), so that the tests of two modules running at the same time (or a helper's
     * run beside CI) never receive each other's events.
     */
    public static String testExchange(String service) {
        return "fomo.events.test." + service;
    }

    private static void requireService(String service) {
        if (!MODULES.containsKey(service)) {
            throw new IllegalArgumentException("unknown service " + service + "; one of " + MODULES.keySet());
        }
    }

    public String service() {
        return service;
    }

    public int httpPort() {
        return httpPort;
    }

    public int grpcPort() {
        return grpcPort;
    }

    /** e.g. {@code http://localhost:41234} */
    public String url() {
        return "http://localhost:" + httpPort;
    }

    /** The management interface's port: {@code /q/health}, {@code /q/metrics}, {@code /q/openapi} (issue #17). */
    public int managementPort() {
        return managementPort;
    }

    /** e.g. {@code http://localhost:41235}: {@code managementUrl() + "/q/metrics"} */
    public String managementUrl() {
        return "http://localhost:" + managementPort;
    }

    public String database() {
        return database;
    }

    public Path logFile() {
        return log;
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL, no shutdown hooks: a crash. The database and the broker keep what was committed. */
    public void kill9() {
        if (process != null) {
            process.destroyForcibly();
            waitFor(process, Duration.ofSeconds(30));
        }
    }

    /** Starts the same service again on the same ports and database (after {@link #kill9()} or {@link #close()}). */
    public void restart() {
        if (isAlive()) {
            throw new IllegalStateException(service + " is still running");
        }
        launch();
    }

    @Override
    public void close() {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!waitFor(process, Duration.ofSeconds(15))) {
            process.destroyForcibly();
            waitFor(process, Duration.ofSeconds(15));
        }
    }

    private void launch() {
        Path jar = projectRoot().resolve(MODULES.get(service)).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build the module first (e.g. ./mvnw -pl <this module> -am verify"
                    + " builds it, because this module declares it as a test dependency)");
        }
        Map<String, String> props = new LinkedHashMap<>();
        props.put("quarkus.profile", "test");
        props.put("quarkus.http.port", Integer.toString(httpPort));
        props.put("quarkus.grpc.server.port", Integer.toString(grpcPort));
        props.put("quarkus.management.port", Integer.toString(managementPort));
        props.put("fomo.db.name", database);
        props.put("%test.fomo.db.name", database);
        props.put("fomo.keycloak.url", KeycloakTokens.baseUrl());
        props.put("%test.fomo.keycloak.url", KeycloakTokens.baseUrl());
        // Unique queue names per process (the test profile's queues are exclusive and auto-deleted).
        props.put("quarkus.uuid", UUID.randomUUID().toString());
        props.put("quarkus.log.console.color", "false");
        props.putAll(config);

        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("-Xmx" + TestDatabase.env("FOMO_IT_XMX", "384m"));
        cmd.add("-XX:TieredStopAtLevel=1");
        props.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-jar");
        cmd.add(jar.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(jar.getParent().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + service, e);
        }
        Process started = process;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> started.destroyForcibly()));
        awaitReady();
    }

    private void awaitReady() {
        Instant deadline = Instant.now().plus(READY_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(service + " exited with " + process.exitValue() + " while starting; see "
                        + log.toAbsolutePath());
            }
            if (ready()) {
                return;
            }
            try {
                Thread.sleep(250); // polling a child process's readiness: there is no condition to await on
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        close();
        throw new IllegalStateException(service + " not ready after " + READY_TIMEOUT + "; see " + log.toAbsolutePath());
    }

    private boolean ready() {
        // /q/health on the management port; a jar built before the management interface (issue #17) serves it on the
        // HTTP port, which answers 404 there on newer jars
        return ready(managementUrl()) || ready(url());
    }

    private static boolean ready(String base) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(base + "/q/health/ready").toURL().openConnection();
            c.setConnectTimeout(1000);
            c.setReadTimeout(2000);
            try {
                return c.getResponseCode() == 200;
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean waitFor(Process p, Duration d) {
        try {
            return p.waitFor(d.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The directory holding the root pom (the one with a {@code fomo-shared} module next to it). */
    public static Path projectRoot() {
        File dir = new File(System.getProperty("user.dir")).getAbsoluteFile();
        while (dir != null) {
            if (new File(dir, "fomo-shared/pom.xml").isFile() && new File(dir, "pom.xml").isFile()) {
                return dir.toPath();
            }
            dir = dir.getParentFile();
        }
        throw new IllegalStateException("project root not found above " + System.getProperty("user.dir"));
    }

    /** Ports handed out by this JVM (a service keeps its ports across restarts, so none is handed out twice). */
    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * A free port <em>below</em> the kernel's ephemeral range (ip_local_port_range, 32768–60999 by default). A service
     * restarted after {@link #kill9()} must get its old ports back; a port from {@code new ServerSocket(0)} is an
     * ephemeral one, which the kernel may meanwhile hand to any other process's port-0 bind (another service or a
     * Quarkus test starting) or outgoing connection: a system test once found treasury's old HTTP port taken by
     * another service's gRPC server. Ports in 20000–32767 are only ever taken on request.
     */
    static int freePort() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 500; attempt++) {
            int port = 20_000 + random.nextInt(12_768);
            if (!HANDED_OUT.add(port)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket(port)) {
                return port;
            } catch (IOException inUse) {
                // taken by someone else: try another
            }
        }
        throw new UncheckedIOException(new IOException("no free port in 20000-32767 after 500 attempts"));
    }
}
