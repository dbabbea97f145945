package io.fomo.rmo.catalog;

import static io.fomo.rmo.support.RmoFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.fomo.grpc.rmo.v1.CatalogGrpc;
import io.fomo.grpc.rmo.v1.Deployment;
import io.fomo.grpc.rmo.v1.DeploymentState;
import io.fomo.grpc.rmo.v1.GetDeploymentRequest;
import io.fomo.grpc.rmo.v1.ListLiveDeploymentsRequest;
import io.fomo.grpc.rmo.v1.ListLiveDeploymentsResponse;
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
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;

/** gRPC {@code fomo.rmo.v1.Catalog}: live deployments for the API platform; service tokens only. */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = ServiceProcessResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "service", value = "treasury"))
class CatalogGrpcQuarkusTest {

    static ManagedChannel channel;

    @Inject
    Pool pool;

    @BeforeAll
    static void start() {
        channel = ManagedChannelBuilder.forAddress("localhost", 19182).usePlaintext().build();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    static CatalogGrpc.CatalogBlockingStub stub(String token) {
        Metadata m = new Metadata();
        if (token != null) {
            m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        }
        return CatalogGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m));
    }

    @Test
    void liveDeploymentsAreListedAndFound() {
        deposit(sub("bob"), "1000");
        String symbol = symbol();
        String[] ids = openOffering(symbol, "0.25", Map.of("softCap", "10"));
        var api = stub(KeycloakTokens.service("api-platform"));
        Deployment before = api.getDeployment(GetDeploymentRequest.newBuilder().setDeploymentId(ids[0]).build());
        assertThat(before.getState()).isEqualTo(DeploymentState.DEPLOYMENT_STATE_OFFERING);
        assertThat(before.getHostingCheck().getOk()).isTrue();
        contribute("bob", ids[1], "100", "k").then().statusCode(201);
        expire(pool, ids[1]);
        close(ids[1]).then().statusCode(200);

        Deployment d = api.getDeployment(GetDeploymentRequest.newBuilder().setSymbol(symbol).build());
        assertThat(d.getDeploymentId()).isEqualTo(ids[0]);
        assertThat(d.getState()).isEqualTo(DeploymentState.DEPLOYMENT_STATE_LIVE);
        assertThat(d.getPoolId()).isEqualTo(symbol + "-FLOCK");
        assertThat(d.getInputPricePerMillion()).isEqualTo("0.5");
        assertThat(d.getBaseUrl()).isEqualTo(host().baseUrl());
        assertThat(d.hasLiveAt()).isTrue();

        // page through every live deployment with page size 1 and find ours
        boolean found = false;
        String token = "";
        do {
            ListLiveDeploymentsResponse page = api.listLiveDeployments(ListLiveDeploymentsRequest.newBuilder()
                    .setModelId(MODEL).setPageSize(1).setPageToken(token).build());
            assertThat(page.getDeploymentsCount()).isLessThanOrEqualTo(1);
            found |= page.getDeploymentsList().stream().anyMatch(x -> x.getDeploymentId().equals(ids[0]));
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        assertThat(found).isTrue();

        assertThatThrownBy(() -> api.getDeployment(GetDeploymentRequest.newBuilder().setDeploymentId("nope").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }

    @Test
    void onlyServiceTokens() {
        var req = ListLiveDeploymentsRequest.newBuilder().build();
        assertThatThrownBy(() -> stub(null).listLiveDeployments(req)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
        assertThatThrownBy(() -> stub(KeycloakTokens.user("bob")).listLiveDeployments(req))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
    }
}
