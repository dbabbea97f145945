package io.fomo.billing;

import static io.restassured.RestAssured.given;

import java.time.Instant;
import java.util.UUID;

import io.fomo.billing.catalog.Catalog;
import io.fomo.billing.discounts.StakeDiscounts;
import io.fomo.grpc.billing.v1.AuthorizeRequest;
import io.fomo.grpc.billing.v1.BillingGrpc;
import io.fomo.grpc.billing.v1.CaptureRequest;
import io.fomo.grpc.billing.v1.ReleaseRequest;
import io.fomo.shared.events.types.DeploymentLive;
import io.fomo.shared.events.types.StakeChanged;
import io.fomo.shared.grpc.GrpcErrors;
import io.fomo.testkit.KeycloakTokens;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.vertx.VertxContextSupport;

/**
 * Test helpers: a gRPC channel to the test server (fixed %test port 19183), the hold calls' requests and a call's gRPC
 * outcome, deployments, stakes, funded users, database counts.
 */
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

    /** An Authorize of these worst-case tokens, under a new request id. */
    public static AuthorizeRequest authorizeRequest(String user, String deployment, long maxIn, long maxOut) {
        return AuthorizeRequest.newBuilder().setRequestId("a-" + UUID.randomUUID()).setUserId(user)
                .setDeploymentId(deployment).setMaxInputTokens(maxIn).setMaxOutputTokens(maxOut).build();
    }

    /** A Capture of these actual tokens, under a new request id. */
    public static CaptureRequest captureRequest(String holdId, long in, long out) {
        return CaptureRequest.newBuilder().setRequestId("c-" + UUID.randomUUID()).setHoldId(holdId)
                .setInputTokens(in).setOutputTokens(out).build();
    }

    /** A Release, under a new request id. */
    public static ReleaseRequest releaseRequest(String holdId) {
        return ReleaseRequest.newBuilder().setRequestId("r-" + UUID.randomUUID()).setHoldId(holdId).build();
    }

    /** The gRPC status code of a blocking call (OK when it returns). */
    public static Status.Code statusOf(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
        return Status.Code.OK;
    }

    /** The stable error code a blocking call failed with ({@code fomo-error-code} trailer), null when it returns. */
    public static String errorCodeOf(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e.getTrailers().get(GrpcErrors.ERROR_CODE);
        }
        return null;
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

    /** A new user topped up with {@code amount} USDC. */
    public static String fundedUser(String amount) {
        String user = newUser();
        topUp(user, amount);
        return user;
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

    /** The user's wallet in USDC base units: (available, held). */
    public static java.util.List<java.math.BigInteger> wallet(String user) {
        Object[] row = query(() -> Panache.getSession().flatMap(s -> s.createNativeQuery(
                "SELECT available, held FROM wallet WHERE user_id = ?1", Object[].class).setParameter(1, user).getSingleResult()));
        return java.util.List.of(((java.math.BigDecimal) row[0]).toBigIntegerExact(),
                ((java.math.BigDecimal) row[1]).toBigIntegerExact());
    }

    /** A {@code count(*)} of a native query with {@code ?1, ?2, ...} parameters. */
    public static long count(String sql, Object... params) {
        return query(() -> Panache.getSession().flatMap(s -> {
            var q = s.createNativeQuery(sql, Long.class);
            for (int i = 0; i < params.length; i++) {
                q.setParameter(i + 1, params[i]);
            }
            return q.getSingleResult();
        }));
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
