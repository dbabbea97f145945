package io.fomo.billing.holds;

/**
 * How the hold answers are stored for replays ({@code grpc_request.response}): the bytes of the wire answer, so that
 * rows written before the answers were records replay identically. The gRPC endpoint implements it
 * ({@link HoldGrpcService.ProtoAnswers}); {@link HoldService} encodes each first answer once and decodes a stored one
 * only to replay it. A decoded answer re-encodes to the same wire answer.
 */
public interface HoldAnswerCodec {

    byte[] encode(AuthorizeAnswer answer);

    byte[] encode(CaptureAnswer answer);

    byte[] encode(ReleaseAnswer answer);

    AuthorizeAnswer authorizeAnswer(byte[] stored);

    CaptureAnswer captureAnswer(byte[] stored);

    ReleaseAnswer releaseAnswer(byte[] stored);
}
