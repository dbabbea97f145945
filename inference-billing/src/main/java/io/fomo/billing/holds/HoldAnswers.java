package io.fomo.billing.holds;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;

import io.fomo.shared.errors.ErrorCode;
import io.fomo.grpc.billing.v1.CaptureResponse;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;

/**
 * The hot path's answers: the proto answers {@link HoldService} builds and stores ({@code grpc_request.response}) and
 * reads back for a replay, the request hash that tells a replay from a reuse of a request id, and their amounts
 * (USDC decimal strings, {@link Amount}).
 */
final class HoldAnswers {

    private HoldAnswers() {
    }

    /**
     * The answer of a capture with {@code uncollected} left over ({@link CaptureAboveHold}): the full charge's,
     * shortened. The first answer and every replay are made by this one rule from the stored full answer and the
     * stored uncollected amount.
     */
    static CaptureResponse shortOf(CaptureResponse full, BigInteger uncollected) {
        if (uncollected == null || uncollected.signum() == 0) {
            return full;
        }
        var got = CaptureAboveHold.collected(units(full.getCharged()), units(full.getComputeCost()), units(full.getExtra()),
                uncollected);
        return full.toBuilder().setCharged(usdc(got.charged())).setComputeCost(usdc(got.compute()))
                .setNet(usdc(got.net())).setExtra(usdc(got.extra())).setUncollected(usdc(got.uncollected())).build();
    }

    static CaptureResponse replayCapture(byte[] stored, BigInteger uncollected) {
        return shortOf(parse(stored, CaptureResponse::parseFrom), uncollected).toBuilder().setReplayed(true).build();
    }

    static void checkSameBody(String method, String requestId, byte[] hash, byte[] storedHash) {
        if (!Arrays.equals(storedHash, hash)) {
            throw ErrorCode.IDEMPOTENCY_CONFLICT.problem(method + " request_id " + requestId + " was already used with another body");
        }
    }

    interface Parser<T> {
        T parse(byte[] bytes) throws InvalidProtocolBufferException;
    }

    static <T> T parse(byte[] bytes, Parser<T> parser) {
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

    static String usdc(BigInteger units) {
        return Amount.ofUnits(Token.USDC, units).toDecimalString();
    }

    static BigInteger units(String usdc) {
        return Amount.parse(Token.USDC, usdc).units();
    }

    static Timestamp ts(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }
}
