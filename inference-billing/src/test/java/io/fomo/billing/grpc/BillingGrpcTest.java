package io.fomo.billing.grpc;

import io.fomo.shared.grpc.GrpcErrors;

import static io.fomo.billing.BillingFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.fomo.billing.catalog.Catalog;
import io.fomo.billing.discounts.StakeDiscounts;
import io.fomo.grpc.billing.v1.AuthorizeRequest;
import io.fomo.grpc.billing.v1.AuthorizeResponse;
import io.fomo.grpc.billing.v1.CaptureRequest;
import io.fomo.grpc.billing.v1.CaptureResponse;
import io.fomo.grpc.billing.v1.HoldState;
import io.fomo.grpc.billing.v1.ReleaseRequest;
import io.fomo.grpc.billing.v1.ReleaseResponse;
import io.fomo.testkit.KeycloakTokens;
import io.fomo.testkit.TestDatabase;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/** SPEC §4 through gRPC with real Keycloak tokens: the worked example, holds, idempotency, errors, auth. */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class BillingGrpcTest {

    @Inject
    Catalog catalog;

    @Inject
    StakeDiscounts discounts;

    static AuthorizeRequest authorize(String user, String dep, long maxIn, long maxOut) {
        return AuthorizeRequest.newBuilder().setRequestId("r-" + UUID.randomUUID()).setUserId(user).setDeploymentId(dep)
                .setMaxInputTokens(maxIn).setMaxOutputTokens(maxOut).build();
    }

    static CaptureRequest capture(String holdId, long in, long out) {
        return CaptureRequest.newBuilder().setRequestId("c-" + UUID.randomUUID()).setHoldId(holdId)
                .setInputTokens(in).setOutputTokens(out).build();
    }

    static String balance(String user) {
        return io.restassured.RestAssured.given().auth().oauth2(KeycloakTokens.user("bob")).get("/api/v1/credits/me")
                .then().statusCode(200).extract().path("available");
    }

    static Status.Code code(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
        return Status.Code.OK;
    }

    static String errorCode(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e.getTrailers().get(GrpcErrors.ERROR_CODE);
        }
        return null;
    }

    @Test
    void workedExampleOfSpec4ThroughGrpc() {
        String dep = deployment(catalog, "alice");
        String bob = newUser();
        stake(discounts, bob, dep, 2000, 1);
        topUp(bob, "1");

        AuthorizeResponse hold = platform().authorize(authorize(bob, dep, 10_000, 2_000));
        assertThat(hold.getDiscountBps()).isEqualTo(2000);
        assertThat(new BigDecimal(hold.getHeld())).isEqualByComparingTo("0.0064");
        assertThat(hold.getState()).isEqualTo(HoldState.HOLD_STATE_HELD);
        assertThat(new BigDecimal(hold.getAvailable())).isEqualByComparingTo("0.9936");

        CaptureResponse c = platform().capture(capture(hold.getHoldId(), 10_000, 2_000));
        assertThat(new BigDecimal(c.getGross())).isEqualByComparingTo("0.008000");
        assertThat(new BigDecimal(c.getCharged())).isEqualByComparingTo("0.006400");
        assertThat(new BigDecimal(c.getComputeCost())).isEqualByComparingTo("0.003200");
        assertThat(new BigDecimal(c.getNet())).isEqualByComparingTo("0.003200");
        assertThat(c.getDiscountBps()).isEqualTo(2000);
        assertThat(c.getState()).isEqualTo(HoldState.HOLD_STATE_CAPTURED);
    }

    @Test
    void stakeDiscountIsCappedAndOlderStakeEventsAreIgnored() {
        String dep = deployment(catalog, "alice");
        String u = newUser();
        stake(discounts, u, dep, 4000, 5);
        stake(discounts, u, dep, 0, 3); // older: ignored
        topUp(u, "1");
        AuthorizeResponse hold = platform().authorize(authorize(u, dep, 10_000, 2_000));
        assertThat(hold.getDiscountBps()).isEqualTo(2500);
        assertThat(new BigDecimal(hold.getHeld())).isEqualByComparingTo("0.006");
    }

    @Test
    void captureBelowTheHoldReleasesTheRestAndAboveTakesFreeCredits() {
        String dep = deployment(catalog, "alice");
        String u = newUser();
        topUp(u, "0.02");
        AuthorizeResponse hold = platform().authorize(authorize(u, dep, 10_000, 2_000)); // 0.008
        CaptureResponse below = platform().capture(capture(hold.getHoldId(), 1_000, 0)); // 0.0005
        assertThat(new BigDecimal(below.getCharged())).isEqualByComparingTo("0.0005");
        assertThat(new BigDecimal(below.getReleased())).isEqualByComparingTo("0.0075");

        AuthorizeResponse h2 = platform().authorize(authorize(u, dep, 1_000, 0)); // 0.0005 held
        CaptureResponse above = platform().capture(capture(h2.getHoldId(), 10_000, 2_000)); // 0.008
        assertThat(new BigDecimal(above.getExtra())).isEqualByComparingTo("0.0075");
        // 0.02 - 0.0005 - 0.008
        AuthorizeResponse probe = platform().authorize(authorize(u, dep, 0, 0));
        assertThat(new BigDecimal(probe.getAvailable())).isEqualByComparingTo("0.0115");
    }

    @Test
    void captureAboveTheHoldWithoutFreeCreditsFailsAndChargesNothing() {
        String dep = deployment(catalog, "alice");
        String u = newUser();
        topUp(u, "0.001");
        AuthorizeResponse hold = platform().authorize(authorize(u, dep, 1_000, 0)); // 0.0005
        CaptureRequest tooMuch = capture(hold.getHoldId(), 10_000, 2_000);
        assertThat(code(() -> platform().capture(tooMuch))).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(errorCode(() -> platform().capture(tooMuch))).isEqualTo("INSUFFICIENT_CREDITS");
        // the hold is still HELD and can be released in full
        ReleaseResponse r = platform().release(ReleaseRequest.newBuilder().setRequestId("x-" + UUID.randomUUID())
                .setHoldId(hold.getHoldId()).build());
        assertThat(new BigDecimal(r.getReleased())).isEqualByComparingTo("0.0005");
        assertThat(new BigDecimal(r.getAvailable())).isEqualByComparingTo("0.001");
    }

    @Test
    void captureOfAHoldReleasedMeanwhileIsHoldNotHeldAndChargesNothing() {
        // The hold's terms are in this instance's memory (it made it): Capture skips its read, billing_capture finds
        // the hold no longer HELD, and the re-read says why.
        String dep = deployment(catalog, "alice");
        String u = newUser();
        topUp(u, "1");
        AuthorizeResponse hold = platform().authorize(authorize(u, dep, 10_000, 2_000));
        platform().release(ReleaseRequest.newBuilder().setRequestId("r-" + UUID.randomUUID()).setHoldId(hold.getHoldId()).build());
        CaptureRequest c = capture(hold.getHoldId(), 5_000, 1_000);
        assertThat(errorCode(() -> platform().capture(c))).isEqualTo("HOLD_NOT_HELD");
        assertThat(errorCode(() -> platform().capture(c))).isEqualTo("HOLD_NOT_HELD"); // nothing was claimed either
        AuthorizeResponse probe = platform().authorize(authorize(u, dep, 0, 0));
        assertThat(new BigDecimal(probe.getAvailable())).isEqualByComparingTo("1");
    }

    @Test
    void authorizeBeyondTheCreditsIsResourceExhausted() {
        String dep = deployment(catalog, "alice");
        String u = newUser();
        topUp(u, "0.005");
        assertThat(code(() -> platform().authorize(authorize(u, dep, 10_000, 2_000)))).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(code(() -> platform().authorize(authorize(newUser(), dep, 1, 0)))).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    }

    @Test
    void everyMethodIsIdempotentByRequestId() {
        String dep = deployment(catalog, "alice");
        String u = newUser();
        topUp(u, "1");
        AuthorizeRequest a = authorize(u, dep, 10_000, 2_000);
        AuthorizeResponse first = platform().authorize(a);
        AuthorizeResponse again = platform().authorize(a);
        assertThat(again.getReplayed()).isTrue();
        assertThat(again.toBuilder().setReplayed(false).build()).isEqualTo(first);
        assertThat(code(() -> platform().authorize(a.toBuilder().setMaxInputTokens(1).build()))).isEqualTo(Status.Code.ALREADY_EXISTS);

        CaptureRequest c = capture(first.getHoldId(), 5_000, 1_000);
        CaptureResponse c1 = platform().capture(c);
        CaptureResponse c2 = platform().capture(c);
        assertThat(c2.getReplayed()).isTrue();
        assertThat(c2.toBuilder().setReplayed(false).build()).isEqualTo(c1);
        assertThat(code(() -> platform().capture(c.toBuilder().setInputTokens(1).build()))).isEqualTo(Status.Code.ALREADY_EXISTS);
        // a second capture of the same hold under another request id
        assertThat(errorCode(() -> platform().capture(capture(first.getHoldId(), 1, 1)))).isEqualTo("HOLD_NOT_HELD");

        AuthorizeResponse h2 = platform().authorize(authorize(u, dep, 10_000, 2_000));
        ReleaseRequest rel = ReleaseRequest.newBuilder().setRequestId(h2.getHoldId()).setHoldId(h2.getHoldId()).build();
        ReleaseResponse r1 = platform().release(rel);
        ReleaseResponse r2 = platform().release(rel);
        assertThat(r2.getReplayed()).isTrue();
        assertThat(r2.toBuilder().setReplayed(false).build()).isEqualTo(r1);
        // released holds stay released; captured ones cannot be released
        ReleaseResponse other = platform().release(ReleaseRequest.newBuilder().setRequestId("o-" + UUID.randomUUID()).setHoldId(h2.getHoldId()).build());
        assertThat(new BigDecimal(other.getReleased())).isZero();
        assertThat(other.getState()).isEqualTo(HoldState.HOLD_STATE_RELEASED);
        assertThat(code(() -> platform().release(ReleaseRequest.newBuilder().setRequestId("p-" + UUID.randomUUID())
                .setHoldId(first.getHoldId()).build()))).isEqualTo(Status.Code.FAILED_PRECONDITION);

        // 1 - charged(5000 in, 1000 out) = 1 - 0.004
        AuthorizeResponse probe = platform().authorize(authorize(u, dep, 0, 0));
        assertThat(new BigDecimal(probe.getAvailable())).isEqualByComparingTo("0.996");
    }

    @Test
    void badInputIsInvalidArgumentAndWritesNothing() {
        String dep = deployment(catalog, "alice");
        String u = newUser();
        topUp(u, "1");
        assertThat(code(() -> platform().authorize(authorize(u, dep, -1, 0)))).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(code(() -> platform().authorize(authorize(u, dep, 0, 0).toBuilder().setRequestId("").build())))
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(code(() -> platform().authorize(authorize("", dep, 0, 0)))).isEqualTo(Status.Code.INVALID_ARGUMENT);
        AuthorizeResponse h = platform().authorize(authorize(u, dep, 10, 10));
        assertThat(code(() -> platform().capture(capture(h.getHoldId(), -5, 0)))).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(code(() -> platform().capture(capture(UUID.randomUUID().toString(), 1, 0)))).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(code(() -> platform().authorize(authorize(u, "no-such-deployment", 1, 0)))).isEqualTo(Status.Code.NOT_FOUND);
        // the failed capture wrote nothing: the hold is still HELD and capturable
        assertThat(platform().capture(capture(h.getHoldId(), 10, 10)).getState()).isEqualTo(HoldState.HOLD_STATE_CAPTURED);
    }

    @Test
    void onlyTheApiPlatformMayCall() {
        String dep = deployment(catalog, "alice");
        AuthorizeRequest a = authorize(newUser(), dep, 1, 1);
        assertThat(code(() -> billing(KeycloakTokens.user("bob")).authorize(a))).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(code(() -> billing(KeycloakTokens.user("op")).authorize(a))).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(code(() -> billing(KeycloakTokens.service("rmo-service")).authorize(a))).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(code(() -> io.fomo.grpc.billing.v1.BillingGrpc.newBlockingStub(channel()).authorize(a)))
                .isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(code(() -> billing("not-a-token").authorize(a))).isEqualTo(Status.Code.UNAUTHENTICATED);
    }
}
