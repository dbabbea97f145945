package io.fomo.shared.grpc;

import io.fomo.shared.errors.ErrorCode;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.auth.AuthExceptionHandler;
import io.quarkus.grpc.auth.AuthExceptionHandlerProvider;
import io.quarkus.security.AuthenticationException;
import io.quarkus.security.UnauthorizedException;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;

/**
 * SPEC §8 on the gRPC port: no (valid) token is UNAUTHENTICATED, a token without the required role is
 * PERMISSION_DENIED, both with the {@code fomo-error-code} trailer ({@code UNAUTHENTICATED} / {@code FORBIDDEN}).
 * Quarkus' default maps every {@link SecurityException}, including the {@link UnauthorizedException} that
 * {@code @RolesAllowed} throws for an anonymous caller, to PERMISSION_DENIED; this provider (higher priority)
 * tells the two apart. It is an enabled {@code @Alternative} so that it, not the default, is the one resolvable
 * bean (Quarkus' general gRPC exception handler looks it up with {@code Instance.isResolvable()}).
 */
@Singleton
@Alternative
@Priority(1)
public class GrpcAuthErrors implements AuthExceptionHandlerProvider {

    @Override
    public int getPriority() {
        return DEFAULT_PRIORITY + 100;
    }

    @Override
    public <ReqT, RespT> AuthExceptionHandler<ReqT, RespT> createHandler(ServerCall.Listener<ReqT> listener,
            ServerCall<ReqT, RespT> serverCall, Metadata metadata) {
        return new AuthExceptionHandler<>(listener, serverCall, metadata) {
            @Override
            protected void handleException(Throwable exception, ServerCall<ReqT, RespT> call, Metadata headers) {
                if (handlesException(exception)) {
                    StatusRuntimeException status = toStatus(exception);
                    call.close(status.getStatus(), status.getTrailers());
                } else {
                    super.handleException(exception, call, headers);
                }
            }
        };
    }

    @Override
    public StatusException transformToStatusException(Throwable t) {
        StatusRuntimeException status = toStatus(t);
        return new StatusException(status.getStatus(), status.getTrailers());
    }

    @Override
    public boolean handlesException(Throwable t) {
        return t instanceof AuthenticationException || t instanceof SecurityException;
    }

    static StatusRuntimeException toStatus(Throwable t) {
        if (t instanceof AuthenticationException || t instanceof UnauthorizedException) {
            return GrpcErrors.status(ErrorCode.UNAUTHENTICATED,
                    "a valid bearer token is required (authorization: Bearer <token>)");
        }
        return GrpcErrors.status(ErrorCode.FORBIDDEN,
                "only service accounts may call this (realm role \"service\")");
    }
}
