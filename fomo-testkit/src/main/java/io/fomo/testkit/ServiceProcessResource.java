package io.fomo.testkit;

import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Runs another FOMO service as a real process for a {@code @QuarkusTest} (see {@link ServiceProcess}):
 *
 * <pre>
 * &#64;WithTestResource(value = ServiceProcessResource.class, scope = TestResourceScope.GLOBAL,
 *         initArgs = &#64;ResourceArg(name = "service", value = "treasury"))
 * </pre>
 *
 * The test's Quarkus app receives {@code fomo.it.<service>.url}, {@code fomo.it.<service>.http-port},
 * {@code fomo.it.<service>.grpc-port}, and its gRPC client of that service pointed at the process:
 * {@code quarkus.grpc.clients.<client>.host/port/test-port} with the client names {@code ledger} (treasury), {@code catalog}
 * (rmo), {@code epoch-usage} (billing); initArg {@code client} overrides the name. The database is
 * {@code fomo_<service>_it_<this module's service>} (initArg {@code dbSuffix} overrides {@code it_<...>}); any other
 * initArg is passed to the process as a Quarkus property. The process uses this module's test exchange
 * ({@code fomo.events.test.<service>}).
 */
public class ServiceProcessResource implements QuarkusTestResourceLifecycleManager {

    private static final Map<String, String> CLIENTS = Map.of(
            "treasury", "ledger", "rmo", "catalog", "billing", "epoch-usage");

    private String service;
    private String client;
    private String dbSuffix;
    private final Map<String, String> extra = new HashMap<>();
    private ServiceProcess process;

    @Override
    public void init(Map<String, String> initArgs) {
        Map<String, String> args = new HashMap<>(initArgs);
        service = args.remove("service");
        if (service == null) {
            throw new IllegalArgumentException("ServiceProcessResource needs initArg service (treasury, rmo, ...)");
        }
        client = args.getOrDefault("client", CLIENTS.get(service));
        args.remove("client");
        dbSuffix = args.remove("dbSuffix");
        extra.putAll(args);
    }

    @Override
    public Map<String, String> start() {
        String caller = TestDatabase.serviceName();
        String suffix = dbSuffix != null ? dbSuffix : "it_" + caller;
        // The process talks on the calling module's own test exchange (events it publishes reach the tests'
        // consumers and vice versa; no other module's tests hear them).
        Map<String, String> config0 = new HashMap<>(extra);
        config0.putIfAbsent("fomo.events.exchange", ServiceProcess.testExchange(caller));
        config0.putIfAbsent("%test.fomo.events.exchange", ServiceProcess.testExchange(caller));
        process = ServiceProcess.start(service, suffix, config0);
        Map<String, String> config = new HashMap<>();
        config.put("fomo.it." + service + ".url", process.url());
        config.put("fomo.it." + service + ".http-port", Integer.toString(process.httpPort()));
        config.put("fomo.it." + service + ".grpc-port", Integer.toString(process.grpcPort()));
        if (client != null) {
            config.put("quarkus.grpc.clients." + client + ".host", "localhost");
            config.put("quarkus.grpc.clients." + client + ".port", Integer.toString(process.grpcPort()));
            // In test launch mode a Quarkus gRPC client dials its test-port (by default the app's own test server).
            config.put("quarkus.grpc.clients." + client + ".test-port", Integer.toString(process.grpcPort()));
        }
        return config;
    }

    @Override
    public void stop() {
        if (process != null) {
            process.close();
        }
    }
}
