package io.fomo.shared.grpc;

import java.util.Set;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * SPEC §8 on gRPC: beyond realm role {@code service}, a method answers only the clients it names. The calling
 * client is the token's {@code azp} (Keycloak's client-credentials tokens also carry {@code clientId}).
 * Anonymous → {@link UnauthorizedException} (UNAUTHENTICATED), anyone else → {@link ForbiddenException}
 * (PERMISSION_DENIED), both through {@link GrpcErrors}.
 */
public final class CallerCheck {

    private CallerCheck() {
    }

    /** The calling service's client id, or {@code null} when the token names none. */
    public static String clientOf(SecurityIdentity identity) {
        if (identity == null || identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken jwt)) {
            return null;
        }
        Object azp = jwt.getClaim("azp");
        Object clientId = jwt.getClaim("clientId");
        return azp != null ? azp.toString() : clientId != null ? clientId.toString() : null;
    }

    /** Returns the caller's client id when it holds role {@code service} and is one of {@code allowed}. */
    public static String requireClient(SecurityIdentity identity, Set<String> allowed) {
        if (identity == null || identity.isAnonymous()) {
            throw new UnauthorizedException("a service bearer token is required");
        }
        if (!identity.hasRole("service") || !(identity.getPrincipal() instanceof JsonWebToken)) {
            throw new ForbiddenException("not a service token");
        }
        String caller = clientOf(identity);
        if (caller == null || !allowed.contains(caller)) {
            throw new ForbiddenException("client " + caller + " may not call this service");
        }
        return caller;
    }
}
