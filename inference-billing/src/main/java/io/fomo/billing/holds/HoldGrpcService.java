package io.fomo.billing.holds;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;

import io.fomo.shared.errors.ErrorCode;
import io.fomo.billing.BillingConfig;
import io.fomo.grpc.billing.v1.AuthorizeRequest;
import io.fomo.grpc.billing.v1.AuthorizeResponse;
import io.fomo.grpc.billing.v1.Billing;
import io.fomo.grpc.billing.v1.CaptureRequest;
import io.fomo.grpc.billing.v1.CaptureResponse;
import io.fomo.grpc.billing.v1.ReleaseRequest;
import io.fomo.grpc.billing.v1.ReleaseResponse;
import io.fomo.shared.grpc.CallerCheck;
import io.fomo.shared.grpc.GrpcErrors;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * {@code fomo.billing.v1.Billing} for the API platform (role {@code service} and client id in
 * {@code fomo.billing.grpc.allowed-clients}, default {@code api-platform}): wire only. It checks the caller and the
 * request ({@link #check}), turns it into a command record ({@link #command}) and the service's answer record back
 * into the proto answer ({@link #response}); the work is {@link HoldService}'s. The replay store keeps the proto
 * answer's bytes: {@link ProtoAnswers} is the encoding this endpoint gives the service.
 */
@GrpcService
// Role "service" and the client id are checked by CallerCheck (anonymous -> UNAUTHENTICATED, others -> PERMISSION_DENIED).
public class HoldGrpcService implements Billing {

    @Inject
    HoldService holds;

    @Inject
    CurrentIdentityAssociation identity;

    @Inject
    BillingConfig config;

    @Override
    public Uni<AuthorizeResponse> authorize(AuthorizeRequest request) {
        return call(() -> {
            check(request, config.maxTokensPerRequest());
            return holds.authorize(command(request)).map(HoldGrpcService::response);
        });
    }

    @Override
    public Uni<CaptureResponse> capture(CaptureRequest request) {
        return call(() -> {
            check(request, config.maxTokensPerRequest());
            return holds.capture(command(request)).map(HoldGrpcService::response);
        });
    }

    @Override
    public Uni<ReleaseResponse> release(ReleaseRequest request) {
        return call(() -> {
            check(request);
            return holds.release(command(request)).map(HoldGrpcService::response);
        });
    }

    private <T> Uni<T> call(Supplier<Uni<T>> work) {
        return identity.getDeferredIdentity().flatMap(id -> {
            CallerCheck.requireClient(id, config.grpc().allowedClients());
            return work.get();
        }).onFailure().transform(GrpcErrors::toStatusException);
    }

    /** Authorize's request: ids of 1-128 characters, token counts in [0, max], not both 0. */
    public static void check(AuthorizeRequest r, long maxTokens) {
        requireId("request_id", r.getRequestId());
        requireId("user_id", r.getUserId());
        requireId("deployment_id", r.getDeploymentId());
        requireTokens("max_input_tokens", r.getMaxInputTokens(), maxTokens);
        requireTokens("max_output_tokens", r.getMaxOutputTokens(), maxTokens);
        if (r.getMaxInputTokens() == 0 && r.getMaxOutputTokens() == 0) {
            throw ErrorCode.INVALID_TOKENS.problem("max_input_tokens and max_output_tokens cannot both be 0");
        }
    }

    /** Capture's request: ids of 1-128 characters (a hold id not a UUID is HOLD_NOT_FOUND), token counts in [0, max]. */
    public static void check(CaptureRequest r, long maxTokens) {
        requireId("request_id", r.getRequestId());
        requireHoldId(r.getHoldId());
        requireTokens("input_tokens", r.getInputTokens(), maxTokens);
        requireTokens("output_tokens", r.getOutputTokens(), maxTokens);
    }

    /** Release's request: ids of 1-128 characters (a hold id not a UUID is HOLD_NOT_FOUND). */
    public static void check(ReleaseRequest r) {
        requireId("request_id", r.getRequestId());
        requireHoldId(r.getHoldId());
    }

    private static void requireHoldId(String value) {
        requireId("hold_id", value);
        HoldService.holdId(value);
    }

    static void requireId(String field, String value) {
        if (value == null || value.isEmpty() || value.length() > 128) {
            throw ErrorCode.INVALID_ARGUMENT.problem(field + " is required (1-128 characters)");
        }
    }

    static void requireTokens(String field, long value, long maxTokens) {
        if (value < 0 || value > maxTokens) {
            throw ErrorCode.INVALID_TOKENS.problem(field + " must be between 0 and " + maxTokens
                    + " (fomo.billing.max-tokens-per-request)");
        }
    }

    // ---------------------------------------------------------------- proto <-> records

    /** The command of a checked request; its hash is of the request's bytes, as the replay store has always kept it. */
    public static AuthorizeCommand command(AuthorizeRequest r) {
        return new AuthorizeCommand(r.getRequestId(), r.getUserId(), r.getDeploymentId(), r.getMaxInputTokens(),
                r.getMaxOutputTokens(), sha256(r.toByteArray()));
    }

    public static CaptureCommand command(CaptureRequest r) {
        return new CaptureCommand(r.getRequestId(), HoldService.holdId(r.getHoldId()), r.getInputTokens(),
                r.getOutputTokens(), sha256(r.toByteArray()));
    }

    public static ReleaseCommand command(ReleaseRequest r) {
        return new ReleaseCommand(r.getRequestId(), HoldService.holdId(r.getHoldId()), sha256(r.toByteArray()));
    }

    public static AuthorizeResponse response(AuthorizeAnswer a) {
        AuthorizeResponse.Builder b = AuthorizeResponse.newBuilder().setHoldId(a.holdId().toString())
                .setDiscountBps(a.discountBps()).setReplayed(a.replayed());
        set(a.held(), b::setHeld);
        set(a.available(), b::setAvailable);
        setState(a.state(), b::setState);
        if (a.expiresAt() != null) {
            b.setExpiresAt(ts(a.expiresAt()));
        }
        return b.build();
    }

    public static CaptureResponse response(CaptureAnswer a) {
        CaptureResponse.Builder b = CaptureResponse.newBuilder().setHoldId(a.holdId().toString())
                .setDiscountBps(a.discountBps()).setReplayed(a.replayed());
        set(a.gross(), b::setGross);
        set(a.charged(), b::setCharged);
        set(a.computeCost(), b::setComputeCost);
        set(a.net(), b::setNet);
        set(a.released(), b::setReleased);
        set(a.extra(), b::setExtra);
        set(a.uncollected(), b::setUncollected);
        setState(a.state(), b::setState);
        if (a.capturedAt() != null) {
            b.setCapturedAt(ts(a.capturedAt()));
        }
        return b.build();
    }

    public static ReleaseResponse response(ReleaseAnswer a) {
        ReleaseResponse.Builder b = ReleaseResponse.newBuilder().setHoldId(a.holdId().toString())
                .setReplayed(a.replayed());
        set(a.released(), b::setReleased);
        set(a.available(), b::setAvailable);
        setState(a.state(), b::setState);
        return b.build();
    }

    /** An amount field: set as its USDC decimal string, left unset when the record has none. */
    private static void set(BigInteger units, Function<String, ?> setter) {
        if (units != null) {
            setter.apply(usdc(units));
        }
    }

    private static void setState(HoldState state, Function<io.fomo.grpc.billing.v1.HoldState, ?> setter) {
        if (state != null) {
            setter.apply(proto(state));
        }
    }

    static AuthorizeAnswer answer(AuthorizeResponse r) {
        return new AuthorizeAnswer(UUID.fromString(r.getHoldId()), units(r.getHeld()), r.getDiscountBps(),
                r.hasExpiresAt() ? instant(r.getExpiresAt()) : null, state(r.getState()), units(r.getAvailable()),
                r.getReplayed());
    }

    static CaptureAnswer answer(CaptureResponse r) {
        return new CaptureAnswer(UUID.fromString(r.getHoldId()), units(r.getGross()), units(r.getCharged()),
                units(r.getComputeCost()), units(r.getNet()), r.getDiscountBps(), units(r.getReleased()),
                units(r.getExtra()), units(r.getUncollected()), state(r.getState()),
                r.hasCapturedAt() ? instant(r.getCapturedAt()) : null, r.getReplayed());
    }

    static ReleaseAnswer answer(ReleaseResponse r) {
        return new ReleaseAnswer(UUID.fromString(r.getHoldId()), units(r.getReleased()), state(r.getState()),
                units(r.getAvailable()), r.getReplayed());
    }

    /**
     * The replay store's encoding ({@link HoldAnswerCodec}): the proto answer's bytes, as before the answers were
     * records, so every stored row replays as it did. A decoded answer encodes to the same proto answer: an unset
     * field is null in the record and stays unset; amounts are canonical USDC strings ({@link Amount}) both ways.
     */
    @Singleton
    public static final class ProtoAnswers implements HoldAnswerCodec {

        @Override
        public byte[] encode(AuthorizeAnswer answer) {
            return response(answer).toByteArray();
        }

        @Override
        public byte[] encode(CaptureAnswer answer) {
            return response(answer).toByteArray();
        }

        @Override
        public byte[] encode(ReleaseAnswer answer) {
            return response(answer).toByteArray();
        }

        @Override
        public AuthorizeAnswer authorizeAnswer(byte[] stored) {
            return answer(HoldGrpcService.<AuthorizeResponse>parse(stored, AuthorizeResponse::parseFrom));
        }

        @Override
        public CaptureAnswer captureAnswer(byte[] stored) {
            return answer(HoldGrpcService.<CaptureResponse>parse(stored, CaptureResponse::parseFrom));
        }

        @Override
        public ReleaseAnswer releaseAnswer(byte[] stored) {
            return answer(HoldGrpcService.<ReleaseResponse>parse(stored, ReleaseResponse::parseFrom));
        }
    }

    private interface Parser<T> {
        T parse(byte[] bytes) throws InvalidProtocolBufferException;
    }

    private static <T> T parse(byte[] bytes, Parser<T> parser) {
        try {
            return parser.parse(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("stored response unreadable", e);
        }
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static io.fomo.grpc.billing.v1.HoldState proto(HoldState s) {
        return io.fomo.grpc.billing.v1.HoldState.valueOf("HOLD_STATE_" + s.name());
    }

    private static HoldState state(io.fomo.grpc.billing.v1.HoldState s) {
        return s == io.fomo.grpc.billing.v1.HoldState.HOLD_STATE_UNSPECIFIED
                ? null : HoldState.valueOf(s.name().substring("HOLD_STATE_".length()));
    }

    private static String usdc(BigInteger units) {
        return Amount.ofUnits(Token.USDC, units).toDecimalString();
    }

    /** A USDC amount field; unset ("") is null. */
    private static BigInteger units(String usdc) {
        return usdc.isEmpty() ? null : Amount.parse(Token.USDC, usdc).units();
    }

    private static Timestamp ts(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    private static Instant instant(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }
}
