package io.fomo.billing.holds;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.google.protobuf.Timestamp;

import io.fomo.grpc.billing.v1.AuthorizeResponse;
import io.fomo.grpc.billing.v1.CaptureResponse;
import io.fomo.grpc.billing.v1.ReleaseResponse;

/**
 * The replay store's encoding ({@link HoldGrpcService.ProtoAnswers}): answers stored as proto bytes, by this build or
 * an earlier one, decode to records that give back the same proto answer to the byte, so a replay is what it was.
 */
class ProtoAnswersTest {

    final HoldAnswerCodec codec = new HoldGrpcService.ProtoAnswers();
    final String hold = UUID.randomUUID().toString();
    final Timestamp at = Timestamp.newBuilder().setSeconds(1_790_000_000L).setNanos(123_456_789).build();

    @Test
    void aStoredAuthorizeAnswerWithoutAvailableReplaysAsStored() {
        AuthorizeResponse stored = AuthorizeResponse.newBuilder().setHoldId(hold).setHeld("0.008").setDiscountBps(2000)
                .setExpiresAt(at).setState(io.fomo.grpc.billing.v1.HoldState.HOLD_STATE_HELD).build();
        AuthorizeAnswer a = codec.authorizeAnswer(stored.toByteArray());
        assertThat(a.available()).isNull();
        assertThat(codec.encode(a)).isEqualTo(stored.toByteArray());
        assertThat(HoldGrpcService.response(a)).isEqualTo(stored);
        assertThat(HoldGrpcService.response(a.replay(HoldState.CAPTURED, new BigInteger("992000"))))
                .isEqualTo(stored.toBuilder().setReplayed(true).setAvailable("0.992")
                        .setState(io.fomo.grpc.billing.v1.HoldState.HOLD_STATE_CAPTURED).build());
    }

    @Test
    void aStoredCaptureAnswerReplaysAsStoredWithOrWithoutUncollected() {
        CaptureResponse full = CaptureResponse.newBuilder().setHoldId(hold).setGross("0.008").setCharged("0.0064")
                .setComputeCost("0.0032").setNet("0.0032").setDiscountBps(2000).setReleased("0.0016").setExtra("0")
                .setUncollected("0").setState(io.fomo.grpc.billing.v1.HoldState.HOLD_STATE_CAPTURED).setCapturedAt(at)
                .build();
        CaptureResponse beforeUncollected = full.toBuilder().clearUncollected().build();
        for (CaptureResponse stored : new CaptureResponse[] { full, beforeUncollected }) {
            CaptureAnswer a = codec.captureAnswer(stored.toByteArray());
            assertThat(codec.encode(a)).isEqualTo(stored.toByteArray());
            assertThat(HoldGrpcService.response(a.shortBy(null).asReplay()))
                    .isEqualTo(stored.toBuilder().setReplayed(true).build());
        }
        assertThat(codec.captureAnswer(beforeUncollected.toByteArray()).uncollected()).isNull();
    }

    @Test
    void aStoredReleaseAnswerReplaysAsStored() {
        ReleaseResponse stored = ReleaseResponse.newBuilder().setHoldId(hold).setReleased("0")
                .setState(io.fomo.grpc.billing.v1.HoldState.HOLD_STATE_EXPIRED).setAvailable("12.5").build();
        ReleaseAnswer a = codec.releaseAnswer(stored.toByteArray());
        assertThat(codec.encode(a)).isEqualTo(stored.toByteArray());
        assertThat(HoldGrpcService.response(a.asReplay())).isEqualTo(stored.toBuilder().setReplayed(true).build());
    }

    @Test
    void aFirstAnswerEncodesAsTheProtoAnswerBuiltBeforeTheRecords() {
        Instant now = Instant.ofEpochSecond(at.getSeconds(), at.getNanos());
        UUID id = UUID.fromString(hold);
        CaptureAnswer first = new CaptureAnswer(id, new BigInteger("8000"), new BigInteger("6400"), new BigInteger("3200"),
                new BigInteger("3200"), 2000, new BigInteger("1600"), BigInteger.ZERO, BigInteger.ZERO, HoldState.CAPTURED,
                now, false);
        CaptureResponse before = CaptureResponse.newBuilder().setHoldId(hold).setGross("0.008").setCharged("0.0064")
                .setComputeCost("0.0032").setNet("0.0032").setDiscountBps(2000).setReleased("0.0016").setExtra("0")
                .setUncollected("0").setState(io.fomo.grpc.billing.v1.HoldState.HOLD_STATE_CAPTURED).setCapturedAt(at)
                .setReplayed(false).build();
        assertThat(codec.encode(first)).isEqualTo(before.toByteArray());
    }
}
