package io.fomo.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.fomo.testkit.ServiceProcess;

/**
 * Issue #17 "Secrets", the start-up test: inference-billing's packaged jar in the prod profile refuses to start, with
 * a message naming the environment variable, while a secret is a committed default or missing; the local suite's
 * profiles {@code prod,local} start with the committed local values. The process never reaches a database, the
 * broker or Keycloak (closed ports, no migration at start): the secret check runs first, at start-up.
 */
class ProdSecretsSystemTest {

    private static final Duration EXIT_WITHIN = Duration.ofSeconds(180);

    private record Run(int exitCode, String output) {
    }

    @Test
    void theProdProfileWithTheCommittedDefaultsExitsNonZeroNamingEverySecretsVariable() throws Exception {
        Run run = runToExit("defaults", "prod", Map.of());

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.output()).contains("refusing to start")
                .contains("FOMO_BILLING_WEBHOOK_SECRETS")
                .contains("QUARKUS_DATASOURCE_PASSWORD")
                .contains("RABBITMQ_PASSWORD")
                .contains("FOMO_OIDC_CLIENT_SECRET");
    }

    @Test
    void theProdProfileWithOneDefaultWebhookSecretExitsNonZeroNamingOnlyItsVariable() throws Exception {
        // a rotation whose second secret is still the committed one: the public default would sign webhooks
        Run run = runToExit("webhook-default", "prod", Map.of(
                "QUARKUS_DATASOURCE_PASSWORD", "db-secret-of-this-test",
                "RABBITMQ_PASSWORD", "broker-secret-of-this-test",
                "FOMO_OIDC_CLIENT_SECRET", "oidc-secret-of-this-test",
                "FOMO_BILLING_WEBHOOK_SECRETS", "webhook-secret-of-this-test,local-webhook-secret"));

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.output()).contains("refusing to start").contains("FOMO_BILLING_WEBHOOK_SECRETS")
                .doesNotContain("QUARKUS_DATASOURCE_PASSWORD").doesNotContain("RABBITMQ_PASSWORD")
                .doesNotContain("FOMO_OIDC_CLIENT_SECRET");
    }

    @Test
    void theProdProfileWithAMissingSecretExitsNonZeroNamingItsVariable() throws Exception {
        Run run = runToExit("missing", "prod", Map.of(
                "QUARKUS_DATASOURCE_PASSWORD", "db-secret-of-this-test",
                "RABBITMQ_PASSWORD", "",
                "FOMO_OIDC_CLIENT_SECRET", "oidc-secret-of-this-test",
                "FOMO_BILLING_WEBHOOK_SECRETS", "webhook-secret-of-this-test"));

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.output()).contains("secret rabbitmq-password is missing: set the environment variable RABBITMQ_PASSWORD")
                .doesNotContain("QUARKUS_DATASOURCE_PASSWORD").doesNotContain("FOMO_BILLING_WEBHOOK_SECRETS")
                .doesNotContain("FOMO_OIDC_CLIENT_SECRET");
    }

    @Test
    void theLocalSuitesProfilesStartWithTheCommittedLocalValues() throws Exception {
        int management = freePort();
        Process p = start("local", "prod,local", Map.of(), management);
        try {
            String started = "http://localhost:" + management + "/q/health/started";
            // Until it answers or exits: a process that stops on a refused secret ends the wait at once.
            await("prod,local answers " + started).atMost(EXIT_WITHIN).pollInterval(Duration.ofMillis(250))
                    .until(() -> !p.isAlive() || status(started) == 200);
            assertThat(p.isAlive()).as("the process in profiles prod,local is still running").isTrue();
            assertThat(status(started)).as("the process in profiles prod,local answers /q/health/started").isEqualTo(200);
        } finally {
            p.destroy();
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(15, TimeUnit.SECONDS);
            }
        }
        assertThat(Files.readString(log("local"))).doesNotContain("refusing to start");
    }

    private static Run runToExit(String name, String profile, Map<String, String> env) throws Exception {
        Process p = start(name, profile, env, 0);
        if (!p.waitFor(EXIT_WITHIN.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(15, TimeUnit.SECONDS);
            throw new AssertionError("inference-billing did not exit within " + EXIT_WITHIN + "; see " + log(name).toAbsolutePath());
        }
        return new Run(p.exitValue(), Files.readString(log(name)));
    }

    private static Process start(String name, String profile, Map<String, String> env, int managementPort) throws IOException {
        Path jar = ServiceProcess.projectRoot().resolve("inference-billing/target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build inference-billing first");
        }
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-Dquarkus.profile=" + profile,
                "-Dquarkus.http.port=0", "-Dquarkus.grpc.server.port=0", "-Dquarkus.management.port=" + managementPort,
                // nothing outside the process: closed ports, no migration at start, no broker, no identity provider
                "-Dquarkus.flyway.migrate-at-start=false", "-Dfomo.db.port=1", "-Drabbitmq-port=1",
                "-Dfomo.keycloak.url=http://127.0.0.1:1",
                "-jar", jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(Files.createDirectories(Path.of("target", "it-logs")).resolve("prod-secrets-" + name + ".log").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("FOMO_") || k.startsWith("QUARKUS_") || k.startsWith("RABBITMQ_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
        return p;
    }

    private static Path log(String name) {
        return Path.of("target", "it-logs", "prod-secrets-" + name + ".log");
    }

    private static int status(String url) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
            c.setConnectTimeout(1000);
            c.setReadTimeout(2000);
            try {
                return c.getResponseCode();
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            return 0;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
