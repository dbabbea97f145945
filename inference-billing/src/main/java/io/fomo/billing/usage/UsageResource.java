package io.fomo.billing.usage;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.fomo.shared.errors.ErrorCode;
import io.fomo.billing.usage.UsageService.DayUsage;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/** Usage per model per UTC day (a user's own; a deployment's for its owner or an operator) and epoch totals: wire only. */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
public class UsageResource {

    @Inject
    JsonWebToken jwt;

    @Inject
    SecurityIdentity identity;

    @Inject
    UsageService usage;

    @GET
    @Path("/usage/me")
    @RolesAllowed("user")
    public Uni<List<DayUsage>> me(@QueryParam("from") String from, @QueryParam("to") String to) {
        Range r = range(from, to);
        return usage.userDays(jwt.getSubject(), r.from(), r.to());
    }

    @GET
    @Path("/deployments/{id}/usage")
    @RolesAllowed({"user", "rma-owner", "operator"})
    public Uni<List<DayUsage>> deployment(@PathParam("id") String id, @QueryParam("from") String from, @QueryParam("to") String to) {
        // the deployment and the caller's right to it are checked before the dates
        return usage.checkReader(id, jwt.getSubject(), identity.hasRole("operator")).flatMap(x -> {
            Range r = range(from, to);
            return usage.deploymentDays(id, r.from(), r.to());
        });
    }

    @GET
    @Path("/epochs/{n}")
    @PermitAll
    public Uni<Map<String, Object>> epoch(@PathParam("n") long n) {
        if (n < 0) {
            throw ErrorCode.INVALID_EPOCH.problem("epoch must be >= 0");
        }
        return usage.epoch(n);
    }

    record Range(LocalDate from, LocalDate to) {
    }

    private static Range range(String from, String to) {
        LocalDate f = date("from", from, LocalDate.of(1970, 1, 1));
        LocalDate t = date("to", to, LocalDate.of(9999, 12, 30));
        if (t.isBefore(f)) {
            throw ErrorCode.INVALID_RANGE.problem("to is before from");
        }
        return new Range(f, t);
    }

    private static LocalDate date(String name, String value, LocalDate dflt) {
        if (value == null || value.isBlank()) {
            return dflt;
        }
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw ErrorCode.INVALID_DATE.problem(name + " must be an ISO date (YYYY-MM-DD)");
        }
    }
}
