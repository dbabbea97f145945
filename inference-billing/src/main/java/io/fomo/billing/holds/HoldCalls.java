package io.fomo.billing.holds;

import java.math.BigInteger;
import java.time.Instant;
import java.util.UUID;

import io.fomo.billing.pricing.Charge;
import io.fomo.billing.pricing.Pricing;

/**
 * The calls the group commits carry between {@link HoldService} and {@link HoldStore}: the command, priced, with its
 * answer already encoded for the replay store ({@code grpc_request.response}, {@link HoldAnswerCodec}).
 */
final class HoldCalls {

    private HoldCalls() {
    }

    /**
     * What Authorize reads before pricing: the deployment's status and its prices in force {@code at} (the
     * authorization's time, SPEC §7a), the user's discount and any stored answer.
     */
    record Lookup(String deploymentId, String userId, String requestId, Instant at) {
    }

    /** The columns of a hold that never change after Authorize: what Capture prices with. */
    record HeldTerms(String userId, String deploymentId, BigInteger amount, int discountBps, Pricing.Rates rates, Instant expiresAt) {
    }

    /** An Authorize call priced and ready to write. */
    record AuthorizeCall(AuthorizeCommand command, byte[] answer, UUID holdId, HeldTerms terms, Instant now) {
    }

    /** HELD (with the wallet's free credits after the hold), DUPLICATE or CANNOT_HOLD. */
    record AuthorizeOutcome(String status, BigInteger available) {
    }

    /**
     * A Capture call priced and ready to write; {@code traceparent}: the W3C trace context of the request (its server
     * span), stored with the capture so the settlement can link to it (issue #20), null while tracing is off.
     */
    record CaptureCall(CaptureCommand command, byte[] answer, HeldTerms terms, Charge charge, Instant now, String traceparent) {
    }

    /** CAPTURED (with the part neither the hold nor the free credits covered, 0 if none), DUPLICATE or HOLD_CHANGED. */
    record CaptureOutcome(String status, BigInteger uncollected) {
    }

    /** A stored answer of {@code grpc_request}. */
    record Stored(byte[] requestHash, byte[] response, BigInteger available, BigInteger uncollected) {
    }
}
