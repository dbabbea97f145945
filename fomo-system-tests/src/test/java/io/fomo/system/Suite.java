package io.fomo.system;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;

import io.fomo.standin.OpenAiStandIn;
import io.fomo.testkit.ServiceProcess;
import io.fomo.testkit.TestBroker;

/**
 * The whole suite as real processes: the five services' built quarkus-apps (fomo-testkit {@link ServiceProcess}, profile
 * {@code test}: random ports, their own databases {@code fomo_<service>_<suffix>}, fast schedulers), optionally a second
 * replica of billing, staking and emission on the same database, and the model stand-in in this JVM.
 *
 * <p>Events: an exchange of this run's own ({@link #exchange}, named after the run, so two runs at the same time never
 * hear each other's events), and <b>durable, shared</b> queues named after this run (not the test profile's exclusive
 * auto-deleted ones) with their dead-letter queues {@code <queue>.dlq}, as in production: a service killed with
 * {@code kill -9} finds what was published while it was down when it comes back, and two replicas compete for one
 * queue. {@link #close()} stops every process and deletes the queues and the exchange.
 */
final class Suite implements AutoCloseable {

    /**
     * The exchange of system tests that run one service without a {@link Suite} ({@link #events(String, String, Map)},
     * e.g. DeadLetterSystemTest, with queues of their own run). A Suite uses {@link #exchange} instead.
     */
    static final String EXCHANGE = "fomo.events.test.system";
    static final String MODEL = "Qwen/Qwen3-32B";

    /**
     * The incoming channels of each service, read from its own application.properties
     * ({@code mp.messaging.incoming.<channel>.connector}), to give every one of them this run's queues: a hand-kept
     * list would leave a new consumer on the test profile's exclusive queue, which a second replica cannot open.
     */
    private static final Map<String, List<String>> CHANNELS = incomingChannels();

    static Map<String, List<String>> incomingChannels() {
        Map<String, List<String>> channels = new LinkedHashMap<>();
        java.util.regex.Pattern key = java.util.regex.Pattern.compile("^mp\\.messaging\\.incoming\\.([a-z0-9-]+)\\.connector\\s*=");
        ServiceProcess.MODULES.forEach((service, module) -> {
            java.nio.file.Path props = ServiceProcess.projectRoot().resolve(module + "/src/main/resources/application.properties");
            List<String> names = new ArrayList<>();
            try {
                for (String line : java.nio.file.Files.readAllLines(props)) {
                    java.util.regex.Matcher m = key.matcher(line.trim());
                    if (m.find()) {
                        names.add(m.group(1));
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + props, e);
            }
            channels.put(service, List.copyOf(names));
        });
        return Map.copyOf(channels);
    }

    /** Billing's pace: windows and epochs short enough for a test, long enough that one request rarely straddles. */
    static final Map<String, String> PACE = Map.of(
            "%test.fomo.billing.window", "PT5S",
            "%test.fomo.billing.epoch", "PT20S",
            "%test.fomo.billing.epoch-grace", "PT2S",
            "%test.fomo.billing.settle-delay", "PT1S");

    /**
     * The treasury's side of the same pace (issue #19): its carry job retries the buyback carries at the end of every
     * settlement window, which must be billing's window; it looks every second, a window's run 2 s after its end.
     */
    static final Map<String, String> TREASURY_PACE = Map.of(
            "%test.fomo.treasury.split.settlement-window", "PT5S",
            "%test.fomo.treasury.split.carry-delay", "PT2S",
            "%test.fomo.treasury.split.carry-interval", "1s");

    /**
     * rmo's side (issue #22): its scheduled hosting re-checks on (the module tests keep them off), every 2 s, two
     * consecutive failures suspend; so the demo's suspension and resumption take seconds. Re-prices on billing's window.
     */
    static final Map<String, String> RMO_PACE = Map.of(
            "%test.fomo.rmo.hosting.recheck.enabled", "true",
            "%test.fomo.rmo.hosting.recheck.interval", "PT2S",
            "%test.fomo.rmo.hosting.recheck.tick", "1s",
            "%test.fomo.rmo.hosting.recheck.failure-threshold", "2",
            "%test.fomo.rmo.settlement-window", "PT5S",
            "%test.fomo.rmo.reprice.notice", "PT10S");

    /**
     * Whether the built treasury has issue #19's carry job (its configuration {@code fomo.treasury.split.carry-*}): an
     * older build refuses those keys at start (unknown configuration), so it runs without them.
     */
    static boolean treasuryHasCarryJob() {
        java.nio.file.Path app = ServiceProcess.projectRoot().resolve("treasury-service/target/quarkus-app/app");
        try (var jars = java.nio.file.Files.list(app)) {
            for (java.nio.file.Path jar : jars.filter(j -> j.toString().endsWith(".jar")).toList()) {
                try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(jar.toFile())) {
                    var e = z.getEntry("io/fomo/treasury/TreasuryConfig$Split.class");
                    if (e != null && new String(z.getInputStream(e).readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1)
                            .contains("carryInterval")) {
                        return true;
                    }
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    private static int runs;

    final String run;
    /** This run's exchange, {@code fomo.events.test.<run>} (the RabbitMQ users may use any fomo.events.test.*). */
    final String exchange;
    final OpenAiStandIn standIn;
    ServiceProcess treasury;
    ServiceProcess rmo;
    ServiceProcess billing;
    ServiceProcess billing2;
    ServiceProcess staking;
    ServiceProcess staking2;
    ServiceProcess emission;
    ServiceProcess emission2;
    private final List<String> queues = new ArrayList<>();
    /** Configuration every service of this run gets (e.g. StorySystemTest's trace exporter, StoryTraces). */
    private final Map<String, String> common;

    private Suite(String run, Map<String, String> common) {
        this.run = run;
        this.exchange = exchangeOf(run);
        this.common = Map.copyOf(common);
        this.standIn = OpenAiStandIn.start(MODEL);
    }

    /**
     * Starts everything on fresh databases {@code fomo_<service>_<dbSuffix>}; with {@code replicas}, billing, staking
     * and emission run twice (same database, same queues).
     */
    static Suite start(String dbSuffix, boolean replicas) {
        return start(dbSuffix, replicas, Map.of());
    }

    /** As {@link #start(String, boolean)}, with {@code common} configuration for every service. */
    static Suite start(String dbSuffix, boolean replicas, Map<String, String> common) {
        return start(dbSuffix, replicas, common, Map.of());
    }

    /** As {@link #start(String, boolean, Map)}, with {@code treasuryExtra} configuration for the treasury only. */
    static Suite start(String dbSuffix, boolean replicas, Map<String, String> common, Map<String, String> treasuryExtra) {
        int n;
        synchronized (Suite.class) {
            n = ++runs;
        }
        Suite s = new Suite("system-" + ProcessHandle.current().pid() + "-" + n, common);
        try {
            s.billing = ServiceProcess.start("billing", dbSuffix, s.config("billing", PACE));
            Map<String, String> treasury = new LinkedHashMap<>(treasuryHasCarryJob() ? TREASURY_PACE : Map.of());
            treasury.putAll(client("billing", s.billing));
            treasury.putAll(treasuryExtra);
            s.treasury = ServiceProcess.start("treasury", dbSuffix, s.config("treasury", treasury));
            Map<String, String> ledger = client("ledger", s.treasury);
            Map<String, String> staking = new LinkedHashMap<>(ledger);
            staking.putAll(client("epoch-usage", s.billing));
            Map<String, String> rmoConfig = new LinkedHashMap<>(ledger);
            rmoConfig.putAll(RMO_PACE);
            CompletableFuture<ServiceProcess> rmo = async(() -> ServiceProcess.start("rmo", dbSuffix, s.config("rmo", rmoConfig)));
            CompletableFuture<ServiceProcess> stk = async(() -> ServiceProcess.start("staking", dbSuffix, s.config("staking", staking)));
            s.emission = ServiceProcess.start("emission", dbSuffix, s.config("emission", ledger));
            s.rmo = rmo.join();
            s.staking = stk.join();
            if (replicas) {
                CompletableFuture<ServiceProcess> b2 = async(
                        () -> ServiceProcess.startOn("billing", s.billing.database(), s.config("billing", PACE)));
                CompletableFuture<ServiceProcess> st2 = async(
                        () -> ServiceProcess.startOn("staking", s.staking.database(), s.config("staking", staking)));
                s.emission2 = ServiceProcess.startOn("emission", s.emission.database(), s.config("emission", ledger));
                s.billing2 = b2.join();
                s.staking2 = st2.join();
            }
            return s;
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** The test profile plus this run's exchange and durable queues, plus {@code extra}. */
    /**
     * Every service process's database pools in the system tests. Two suites run at a time (this module's pom), up to
     * thirteen processes when one has replicas, on a PostgreSQL whose {@code max_connections} is the default 100 (and
     * a suite left running on the machine may hold some). A process's pools fill up to their maximum (its pollers and
     * consumers use them all the time; 6 reactive + 2 JDBC each came to 99 connections with two suites): 4 reactive
     * connections, and the JDBC pool (Flyway's, at start only) emptied 5 s after its last use. A request waits for a
     * free connection, it never fails for want of one (the pool's wait queue is unbounded).
     */
    static final Map<String, String> POOLS = Map.of(
            "quarkus.datasource.reactive.max-size", "4",
            "quarkus.datasource.reactive.idle-timeout", "PT30S",
            "quarkus.datasource.jdbc.max-size", "2",
            "quarkus.datasource.jdbc.idle-removal-interval", "PT5S");

    private Map<String, String> config(String service, Map<String, String> extra) {
        Map<String, String> c = new LinkedHashMap<>(POOLS);
        synchronized (queues) {
            for (String q : suiteEvents(run, exchange, service, c)) {
                if (!queues.contains(q)) {
                    queues.add(q);
                }
            }
        }
        c.putAll(common);
        c.putAll(extra);
        return c;
    }

    /** The exchange of the run {@code run}: {@code fomo.events.test.<run>}. */
    static String exchangeOf(String run) {
        return "fomo.events.test." + run;
    }

    /**
     * Puts into {@code config} the system tests' shared exchange {@link #EXCHANGE} and, for each incoming channel of
     * {@code service}, a durable shared queue {@code <run>.<service>.<channel>} (instead of the test profile's exclusive
     * auto-deleted one); returns the queue names, which the caller deletes when done.
     */
    static List<String> events(String run, String service, Map<String, String> config) {
        return events(run, EXCHANGE, service, config);
    }

    /**
     * As {@link #events(String, String, Map)} on the exchange {@code exchange}. Suite's own runs also get the
     * production dead-letter queues {@code <queue>.dlq} (in the returned names): an event that can never apply is
     * kept there, where the tests look for it, instead of being dropped.
     */
    private static List<String> suiteEvents(String run, String exchange, String service, Map<String, String> config) {
        List<String> names = new ArrayList<>(events(run, exchange, service, config));
        config.put("%test.mp.messaging.connector.smallrye-rabbitmq.auto-bind-dlq", "true");
        config.put("%test.mp.messaging.connector.smallrye-rabbitmq.dlx.declare", "true");
        for (String q : List.copyOf(names)) {
            names.add(q + ".dlq");
        }
        return names;
    }

    static List<String> events(String run, String exchange, String service, Map<String, String> config) {
        config.put("fomo.events.exchange", exchange);
        config.put("%test.fomo.events.exchange", exchange);
        // Issue #17: every service connects as its own RabbitMQ user and takes an event only from the user of the
        // service that publishes its type, as in production (the module tests' hand-made events keep it off there).
        config.put("%test.fomo.events.producer-check.enabled", "true");
        List<String> names = new ArrayList<>();
        for (String channel : CHANNELS.get(service)) {
            String queue = run + "." + service + "." + channel;
            names.add(queue);
            String p = "%test.mp.messaging.incoming." + channel + ".queue.";
            config.put(p + "name", queue);
            config.put(p + "durable", "true");
            config.put(p + "exclusive", "false");
            config.put(p + "auto-delete", "false");
        }
        return names;
    }

    /** A gRPC client of the service pointed at {@code target}: NORMAL launch mode reads {@code port}, tests {@code test-port}. */
    private static Map<String, String> client(String name, ServiceProcess target) {
        Map<String, String> c = new LinkedHashMap<>();
        for (String prefix : new String[] {"", "%test."}) {
            String p = prefix + "quarkus.grpc.clients." + name + ".";
            c.put(p + "host", "localhost");
            c.put(p + "port", Integer.toString(target.grpcPort()));
            c.put(p + "test-port", Integer.toString(target.grpcPort()));
        }
        c.put("fomo.it." + target.service() + ".grpc-port", Integer.toString(target.grpcPort()));
        return c;
    }

    private static <T> CompletableFuture<T> async(Supplier<T> s) {
        return CompletableFuture.supplyAsync(s);
    }

    /** The demo client's environment: where every service is (the first replica of each). */
    Map<String, String> demoEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("FOMO_TREASURY_URL", treasury.url());
        env.put("FOMO_RMO_URL", rmo.url());
        env.put("FOMO_BILLING_URL", billing.url());
        env.put("FOMO_STAKING_URL", staking.url());
        env.put("FOMO_EMISSION_URL", emission.url());
        env.put("FOMO_KEYCLOAK_URL", io.fomo.testkit.KeycloakTokens.baseUrl());
        env.put("FOMO_STANDIN_URL", standIn.baseUrl());
        env.put("FOMO_DEMO_OFFERING_WINDOW", "PT12S");
        env.put("FOMO_DEMO_SETTLE_TIMEOUT", "PT3M");
        env.put("FOMO_DEMO_EPOCH_TIMEOUT", "PT4M");
        env.put("FOMO_DEMO_SUSPENSION", "true"); // the README's story shows a suspension and resumption (issue #22)
        return env;
    }

    /** The demo's gRPC targets (system properties of its JVM). */
    Map<String, String> demoProperties() {
        return Map.of("fomo.billing.grpc-port", Integer.toString(billing.grpcPort()),
                "fomo.rmo.grpc-port", Integer.toString(rmo.grpcPort()));
    }

    @Override
    public void close() {
        for (ServiceProcess p : new ServiceProcess[] {staking2, staking, emission2, emission, rmo, billing2, billing, treasury}) {
            if (p != null) {
                p.close();
            }
        }
        standIn.close();
        deleteQueues(queues);
        try (Connection c = TestBroker.connect("fomo-system-tests"); Channel ch = c.createChannel()) {
            ch.exchangeDelete(exchange);
        } catch (IOException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("could not delete the system test's exchange " + exchange, e);
        }
    }

    /** This run's queues: each service's incoming queues and their dead-letter queues {@code <queue>.dlq}. */
    List<String> queues() {
        synchronized (queues) {
            return List.copyOf(queues);
        }
    }

    /** The number of messages waiting in each of this run's dead-letter queues (0 for one not declared yet). */
    Map<String, Long> deadLetterQueueCounts() {
        Map<String, Long> counts = new java.util.TreeMap<>();
        try (Connection c = TestBroker.connect("fomo-system-tests")) {
            for (String q : queues()) {
                if (q.endsWith(".dlq")) {
                    try (Channel ch = c.createChannel()) {
                        counts.put(q, (long) ch.queueDeclarePassive(q).getMessageCount());
                    } catch (IOException notDeclared) { // 404: the channel is closed by the broker
                        counts.put(q, 0L);
                    } catch (com.rabbitmq.client.AlreadyClosedException notDeclared) {
                        counts.put(q, 0L);
                    }
                }
            }
        } catch (IOException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("could not count the dead-letter queues", e);
        }
        return counts;
    }

    static void deleteQueues(List<String> names) {
        try (Connection c = TestBroker.connect("fomo-system-tests"); Channel ch = c.createChannel()) {
            for (String q : names) {
                ch.queueDelete(q);
            }
        } catch (IOException | java.util.concurrent.TimeoutException e) { // closing the channel
            throw new IllegalStateException("could not delete the system test's queues " + names, e);
        }
    }
}
