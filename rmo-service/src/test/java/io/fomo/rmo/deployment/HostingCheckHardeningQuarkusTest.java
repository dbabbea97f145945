package io.fomo.rmo.deployment;

import static io.fomo.rmo.support.RmoFixtures.registerDeployment;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import io.fomo.rmo.support.RmoFixtures;
import io.fomo.testkit.KeycloakTokens;
import io.fomo.testkit.ServiceProcessResource;
import io.fomo.testkit.TestDatabase;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;

/**
 * Issue #17: the hosting check follows no redirect, reads at most {@code max-body-bytes}, and never connects to an
 * address in a denied range (the test profile allows only 127.0.0.1/32, so the rest of 127.0.0.0/8 stays denied).
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = ServiceProcessResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "service", value = "treasury"))
class HostingCheckHardeningQuarkusTest {

    static HttpServer host;
    static HttpServer other;
    static final AtomicInteger otherRequests = new AtomicInteger();
    static final AtomicLong streamed = new AtomicLong();
    static final String MODELS = "{\"object\":\"list\",\"data\":[{\"id\":\"" + RmoFixtures.MODEL + "\"}]}";

    @BeforeAll
    static void start() throws IOException {
        host = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        host.createContext("/redirect/models", x -> {
            x.getResponseHeaders().add("Location", "http://127.0.0.1:" + host.getAddress().getPort() + "/ok/models");
            x.sendResponseHeaders(302, -1);
            x.close();
        });
        host.createContext("/ok/models", x -> {
            byte[] b = MODELS.getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(200, b.length);
            x.getResponseBody().write(b);
            x.close();
        });
        host.createContext("/endless/models", x -> {
            // a valid start, then an endless stream (chunked): the check must stop at the cap
            x.sendResponseHeaders(200, 0);
            byte[] chunk = new byte[16 * 1024];
            java.util.Arrays.fill(chunk, (byte) ' ');
            try (OutputStream out = x.getResponseBody()) {
                out.write(MODELS.substring(0, MODELS.length() - 1).getBytes(StandardCharsets.UTF_8));
                for (int i = 0; i < 64 * 1024; i++) { // at most 1 GiB, if nobody stopped reading
                    out.write(chunk);
                    streamed.addAndGet(chunk.length);
                }
            } catch (IOException expected) {
                // the check hung up
            }
        });
        host.createContext("/declared/models", x -> {
            x.sendResponseHeaders(200, 50L * 1024 * 1024);
            try (OutputStream out = x.getResponseBody()) {
                out.write(MODELS.getBytes(StandardCharsets.UTF_8));
            } catch (IOException expected) {
                // the check hung up
            }
        });
        host.start();
        other = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0), 0);
        other.createContext("/", x -> {
            otherRequests.incrementAndGet();
            byte[] b = MODELS.getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(200, b.length);
            x.getResponseBody().write(b);
            x.close();
        });
        other.start();
    }

    @AfterAll
    static void stop() {
        host.stop(0);
        other.stop(0);
    }

    static String url(String path) {
        return "http://127.0.0.1:" + host.getAddress().getPort() + path;
    }

    private static ValidatableResponse check(String baseUrl) {
        String id = registerDeployment("alice", baseUrl);
        return given().auth().oauth2(KeycloakTokens.user("alice")).post("/api/v1/deployments/" + id + "/hosting-checks")
                .then().statusCode(201);
    }

    @Test
    void theAllowedLoopbackAddressStillPasses() {
        check(url("/ok")).body("ok", equalTo(true));
    }

    @Test
    void aRedirectIsAFailedCheckAndIsNotFollowed() {
        check(url("/redirect")).body("ok", equalTo(false)).body("httpStatus", equalTo(302))
                .body("detail", containsString("redirects are not followed"));
    }

    @Test
    void anEndlessBodyIsCutAtTheCap() {
        check(url("/endless")).body("ok", equalTo(false)).body("httpStatus", equalTo(200))
                .body("detail", containsString("larger than 1048576 bytes"));
        // the check hung up near the cap, long before the gigabyte
        assertThat(streamed.get()).isLessThan(64L * 1024 * 1024);
    }

    @Test
    void aDeclaredLengthAboveTheCapIsNotRead() {
        check(url("/declared")).body("ok", equalTo(false)).body("detail", containsString("larger than"));
    }

    @Test
    void deniedAddressesAreNeverContacted() {
        check("http://127.0.0.2:" + other.getAddress().getPort() + "/v1").body("ok", equalTo(false))
                .body("httpStatus", nullValue()).body("detail", containsString("denied range 127.0.0.0/8"));
        check("http://169.254.169.254/latest").body("ok", equalTo(false))
                .body("detail", containsString("in the denied range 169.254.0.0/16"));
        check("http://10.1.2.3:8080/v1").body("ok", equalTo(false)).body("detail", containsString("10.0.0.0/8"));
        check("http://[::ffff:192.168.0.1]/v1").body("ok", equalTo(false)).body("detail", containsString("192.168.0.0/16"));
        check("http://[::1]:" + host.getAddress().getPort() + "/ok").body("ok", equalTo(false))
                .body("detail", containsString("::1"));
        check("http://[fe80::1]/v1").body("ok", equalTo(false)).body("detail", containsString("fe80:"));
        assertThat(otherRequests.get()).isZero();
    }
}
