package io.fomo.rmo.deployment;

import static io.fomo.rmo.support.RmoFixtures.*;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.fomo.grpc.rmo.v1.CatalogGrpc;
import io.fomo.grpc.rmo.v1.Deployment;
import io.fomo.grpc.rmo.v1.GetDeploymentRequest;
import io.fomo.grpc.rmo.v1.ListLiveDeploymentsRequest;
import io.fomo.grpc.rmo.v1.ListLiveDeploymentsResponse;
import io.fomo.standin.OpenAiStandIn;
import io.fomo.testkit.KeycloakTokens;
import io.fomo.testkit.ServiceProcessResource;
import io.fomo.testkit.TestDatabase;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;

/**
 * Continuous hosting checks (issue #22): a host that starts failing is suspended exactly at the threshold of
 * consecutive failures (3 in tests), with its DeploymentStatusChanged in the outbox and the Catalog no longer routing
 * to it; a passing check resumes it. The scheduled job is off in the test profile: each pass here is
 * {@link HostingRecheckJob#recheckDue} run on demand, exactly as the schedule runs it.
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = ServiceProcessResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "service", value = "treasury"))
class HostingRecheckQuarkusTest {

    static ManagedChannel channel;

    @Inject
    Pool pool;

    @Inject
    HostingRecheckJob job;

    @BeforeAll
    static void start() {
        channel = ManagedChannelBuilder.forAddress("localhost", 19182).usePlaintext().build();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    static CatalogGrpc.CatalogBlockingStub catalog() {
        Metadata m = new Metadata();
        m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
                "Bearer " + KeycloakTokens.service("api-platform"));
        return CatalogGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m));
    }

    boolean listed(String id) {
        String token = "";
        do {
            ListLiveDeploymentsResponse page = catalog().listLiveDeployments(ListLiveDeploymentsRequest.newBuilder()
                    .setModelId(MODEL).setPageSize(1000).setPageToken(token).build());
            if (page.getDeploymentsList().stream().anyMatch(d -> d.getDeploymentId().equals(id))) {
                return true;
            }
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        return false;
    }

    /** Runs one scheduled pass with this deployment due; asserts it was checked once. */
    void pass(OpenAiStandIn host, String id) {
        dueNow(pool, id);
        int before = host.modelRequests();
        job.recheckDue();
        assertThat(host.modelRequests()).isEqualTo(before + 1);
    }

    void expect(String id, String state, int failures) {
        given().get("/api/v1/deployments/" + id).then().statusCode(200).body("state", equalTo(state))
                .body("consecutiveFailures", equalTo(failures));
    }

    @Test
    void aFailingHostIsSuspendedExactlyAtTheThresholdAndResumedByAPass() {
        try (OpenAiStandIn host = OpenAiStandIn.start(MODEL)) {
            String id = liveDeployment(pool, "alice", host.baseUrl());
            assertThat(listed(id)).isTrue();
            pass(host, id);
            expect(id, "LIVE", 0);

            host.status(503);
            // a manual check counts the same way as the scheduled ones
            given().auth().oauth2(KeycloakTokens.user("alice")).post("/api/v1/deployments/" + id + "/hosting-checks")
                    .then().statusCode(201).body("ok", equalTo(false)).body("httpStatus", equalTo(503));
            expect(id, "LIVE", 1);
            pass(host, id);
            expect(id, "LIVE", 2); // not before the threshold
            assertThat(outboxEvents(pool, "DeploymentStatusChanged", id)).isEmpty();
            assertThat(listed(id)).isTrue();

            pass(host, id); // the third consecutive failure
            given().get("/api/v1/deployments/" + id).then().statusCode(200).body("state", equalTo("SUSPENDED"))
                    .body("consecutiveFailures", equalTo(3)).body("statusVersion", equalTo(1))
                    .body("statusReason", equalTo("3 consecutive failed hosting checks"))
                    .body("suspendedAt", org.hamcrest.Matchers.notNullValue())
                    .body("hostingCheck.ok", equalTo(false));
            List<JsonObject> events = outboxEvents(pool, "DeploymentStatusChanged", id);
            assertThat(events).hasSize(1);
            assertThat(events.get(0).getString("status")).isEqualTo("SUSPENDED");
            assertThat(events.get(0).getLong("version")).isEqualTo(1L);
            assertThat(events.get(0).getString("reason")).isEqualTo("3 consecutive failed hosting checks");
            assertThat(events.get(0).getValue("lastEpoch")).isNull();
            // the Catalog stops routing to it
            assertThat(listed(id)).isFalse();
            assertThatThrownBy(() -> catalog().getDeployment(GetDeploymentRequest.newBuilder().setDeploymentId(id).build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
                        assertThat(e.getStatus().getDescription()).contains("DEPLOYMENT_SUSPENDED");
                    });

            pass(host, id); // still failing: still suspended, no second event
            expect(id, "SUSPENDED", 4);
            assertThat(outboxEvents(pool, "DeploymentStatusChanged", id)).hasSize(1);

            host.status(200);
            pass(host, id);
            given().get("/api/v1/deployments/" + id).then().statusCode(200).body("state", equalTo("LIVE"))
                    .body("consecutiveFailures", equalTo(0)).body("statusVersion", equalTo(2))
                    .body("statusReason", equalTo("hosting check passed"));
            events = outboxEvents(pool, "DeploymentStatusChanged", id);
            assertThat(events).hasSize(2);
            assertThat(events.get(1).getString("status")).isEqualTo("LIVE");
            assertThat(events.get(1).getLong("version")).isEqualTo(2L);
            assertThat(listed(id)).isTrue();
            Deployment d = catalog().getDeployment(GetDeploymentRequest.newBuilder().setDeploymentId(id).build());
            assertThat(d.getDeploymentId()).isEqualTo(id);

            // the public history, newest first, paged
            List<Integer> ids = given().get("/api/v1/deployments/" + id + "/hosting-checks?limit=3").then().statusCode(200)
                    .body("size()", equalTo(3)).body("[0].ok", equalTo(true)).body("[1].ok", equalTo(false))
                    .extract().path("id");
            assertThat(ids).isSortedAccordingTo((a, b) -> Integer.compare(b, a));
            given().get("/api/v1/deployments/" + id + "/hosting-checks?before=" + ids.get(2)).then().statusCode(200)
                    .body("size()", equalTo(3)); // 6 checks in all
        }
    }

    @Test
    void aClaimedDeploymentIsNotCheckedAgainBeforeItsInterval() {
        try (OpenAiStandIn host = OpenAiStandIn.start(MODEL)) {
            String id = liveDeployment(pool, "alice", host.baseUrl());
            pass(host, id);
            int before = host.modelRequests();
            job.recheckDue(); // claimed one interval ahead: not due now
            assertThat(host.modelRequests()).isEqualTo(before);
            assertThat(column(pool, id, "next_check_at")).isNotNull();
        }
    }

    @Test
    void oneUnreachableHostDoesNotStopTheOthers() {
        OpenAiStandIn gone = OpenAiStandIn.start(MODEL);
        String goneId = liveDeployment(pool, "alice", gone.baseUrl());
        gone.close();
        try (OpenAiStandIn host = OpenAiStandIn.start(MODEL)) {
            String id = liveDeployment(pool, "alice", host.baseUrl());
            pool.preparedQuery("UPDATE deployment SET base_url = 'http://[::1' WHERE id = $1") // not even a URL
                    .execute(io.vertx.mutiny.sqlclient.Tuple.of(goneId)).await().indefinitely();
            dueNow(pool, id);
            pool.preparedQuery("UPDATE deployment SET next_check_at = now() - interval '1 second' WHERE id = $1")
                    .execute(io.vertx.mutiny.sqlclient.Tuple.of(goneId)).await().indefinitely();
            int before = host.modelRequests();
            job.recheckDue();
            assertThat(host.modelRequests()).isEqualTo(before + 1);
            expect(goneId, "LIVE", 1);
            expect(id, "LIVE", 0);
        }
    }

    @Test
    void hostileHistoryRequestsAre4xx() {
        given().get("/api/v1/deployments/" + "x".repeat(65) + "/hosting-checks").then().statusCode(400);
        given().get("/api/v1/deployments/nope/hosting-checks").then().statusCode(404);
        given().get("/api/v1/deployments/nope/hosting-checks?before=abc").then().statusCode(400)
                .body("code", equalTo("INVALID_PAGE_TOKEN"));
        given().get("/api/v1/deployments/nope/hosting-checks?before=99999999999999999999999").then().statusCode(400);
        given().get("/api/v1/deployments/nope/hosting-checks?limit=0").then().statusCode(400);
        given().get("/api/v1/deployments/nope/hosting-checks?limit=abc").then().statusCode(org.hamcrest.Matchers
                .allOf(org.hamcrest.Matchers.greaterThanOrEqualTo(400), org.hamcrest.Matchers.lessThan(500)));
    }
}
