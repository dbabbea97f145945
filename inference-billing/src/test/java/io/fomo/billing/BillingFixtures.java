package io.fomo.billing;

import static io.restassured.RestAssured.given;

import java.time.Instant;
import java.util.UUID;

import io.fomo.billing.catalog.Catalog;
import io.fomo.billing.discounts.StakeDiscounts;
import io.fomo.grpc.billing.v1.BillingGrpc;
import io.fomo.shared.events.types.DeploymentLive;
import io.fomo.shared.events.types.StakeChanged;
import io.fomo.testkit.KeycloakTokens;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.vertx.VertxContextSupport;

/** Test helpers: a gRPC channel to the test server (fixed %test port 19183), deployments, stakes, top-ups. */
public final class BillingFixtures {

    public static final int GRPC_PORT = 19183;
    private static ManagedChannel channel;

    private BillingFixtures() {
    }

    public static synchronized ManagedChannel channel() {
        if (channel == null) {
            channel = ManagedChannelBuilder.forAddress("localhost", GRPC_PORT).usePlaintext().build();
        }
        return channel;
    }

    public static BillingGrpc.BillingBlockingStub billing(String token) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return BillingGrpc.newBlockingStub(channel()).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    public static BillingGrpc.BillingBlockingStub platform() {
        return billing(KeycloakTokens.service("api-platform"));
    }

    /** A live deployment with the worked example's prices: 0.50/1.50, compute 0.20/0.60 per 1M tokens. */
    public static String deployment(Catalog catalog, String owner) {
        String id = "dep-" + UUID.randomUUID();
        run(() -> catalog.apply(new DeploymentLive(id, "QWEN" + id.substring(4, 8).toUpperCase(), owner, "Qwen/Qwen3-32B",
                "0.50", "1.50", "0.20", "0.60", Instant.now(), "pool-" + id, "off-" + id,
                Instant.now().plusSeconds(365L * 86_400))));
        return id;
    }

    /** A live deployment with these prices and costs (USDC per 1M tokens, decimal strings as in DeploymentLive). */
    public static String deployment(Catalog catalog, String owner, String inputPrice, String outputPrice, String inputCost,
            String outputCost) {
        String id = "dep-" + UUID.randomUUID();
        run(() -> catalog.apply(new DeploymentLive(id, "QWEN" + id.substring(4, 8).toUpperCase(), owner, "Qwen/Qwen3-32B",
                inputPrice, outputPrice, inputCost, outputCost, Instant.now(), "pool-" + id, "off-" + id,
                Instant.now().plusSeconds(365L * 86_400))));
        return id;
    }

    public static void stake(StakeDiscounts discounts, String user, String deployment, int bps, long sequence) {
        run(() -> discounts.apply(new StakeChanged(user, deployment, "100000", bps, sequence, Instant.now())));
    }

    public static String newUser() {
        return "user-" + UUID.randomUUID();
    }

    public static void topUp(String user, String amount) {
        given().auth().oauth2(KeycloakTokens.user("op")).contentType("application/json")
                .body("{\"topupId\":\"t-" + UUID.randomUUID() + "\",\"userId\":\"" + user + "\",\"amount\":\"" + amount + "\"}")
                .post("/api/v1/credits/topups").then().statusCode(201);
    }

    /** The user's free credits in USDC (0 when the user has no wallet), read from the database. */
    public static java.math.BigDecimal available(String user) {
        return walletColumn(user, "available");
    }

    /** The user's held credits in USDC (0 when the user has no wallet), read from the database. */
    public static java.math.BigDecimal held(String user) {
        return walletColumn(user, "held");
    }

    private static java.math.BigDecimal walletColumn(String user, String column) {
        java.util.List<?> rows = query(() -> Panache.getSession().flatMap(s -> s.createNativeQuery(
                "SELECT " + column + " FROM wallet WHERE user_id = ?1").setParameter(1, user).getResultList()));
        return rows.isEmpty() ? java.math.BigDecimal.ZERO : ((java.math.BigDecimal) rows.get(0)).movePointLeft(6);
    }

    static void run(java.util.function.Supplier<io.smallrye.mutiny.Uni<Void>> work) {
        try {
            VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(work::get));
        } catch (Throwable e) {
            throw new RuntimeException(e);
        }
    }

    public static <T> T query(java.util.function.Supplier<io.smallrye.mutiny.Uni<T>> work) {
        try {
            return VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(work::get));
        } catch (Throwable e) {
            throw new RuntimeException(e);
        }
    }
}
