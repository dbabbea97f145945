package io.fomo.billing.grpc;

import java.util.Set;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.SecurityIdentity;

/** SPEC §8 on gRPC: beyond role {@code service}, only the named clients (the token's {@code azp}) may call. */
final class CallerCheck {

    private CallerCheck() {
    }

    static void requireClient(SecurityIdentity identity, Set<String> allowed) {
        if (identity == null || identity.isAnonymous()) {
            throw new UnauthorizedException("a service bearer token is required");
        }
        if (!identity.hasRole("service") || !(identity.getPrincipal() instanceof JsonWebToken jwt)) {
            throw new ForbiddenException("not a service token");
        }
        Object azp = jwt.getClaim("azp");
        Object clientId = jwt.getClaim("clientId");
        String caller = azp != null ? azp.toString() : clientId != null ? clientId.toString() : null;
        if (caller == null || !allowed.contains(caller)) {
            throw new ForbiddenException("client " + caller + " may not call this service");
        }
    }
}
