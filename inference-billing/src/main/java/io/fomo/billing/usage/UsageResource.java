package io.fomo.billing.usage;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.fomo.billing.holds.HoldService;
import io.fomo.shared.web.ProblemException;
import io.quarkus.hibernate.reactive.panache.Panache;
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

/** Usage per model per UTC day (a user's own; a deployment's for its owner or an operator) and epoch totals. */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
public class UsageResource {

    public record DayUsage(String deploymentId, String userId, LocalDate day, long requests, long inputTokens,
            long outputTokens, String gross, String charged, String compute, String net) {
    }

    @Inject
    JsonWebToken jwt;

    @Inject
    SecurityIdentity identity;

    private static final String DAYS = """
            SELECT deployment_id, %s, (captured_at AT TIME ZONE 'UTC')::date AS day, count(*), sum(input_tokens), sum(output_tokens),
                   sum(gross), sum(charged), sum(compute), sum(net)
            FROM capture WHERE %s = ?1 AND captured_at >= ?2 AND captured_at < ?3
            GROUP BY 1, 2, 3 ORDER BY 3, 1, 2""";

    @GET
    @Path("/usage/me")
    @RolesAllowed("user")
    public Uni<List<DayUsage>> me(@QueryParam("from") String from, @QueryParam("to") String to) {
        return days(String.format(DAYS, "NULL::text", "user_id"), jwt.getSubject(), from, to);
    }

    @GET
    @Path("/deployments/{id}/usage")
    @RolesAllowed({"user", "rma-owner", "operator"})
    public Uni<List<DayUsage>> deployment(@PathParam("id") String id, @QueryParam("from") String from, @QueryParam("to") String to) {
        return Panache.withSession(() -> Panache.getSession().flatMap(s -> s.createNativeQuery(
                "SELECT owner_id FROM deployment WHERE id = ?1", String.class).setParameter(1, id).getResultList()))
                .flatMap(owners -> {
                    if (owners.isEmpty()) {
                        throw ProblemException.notFound("DEPLOYMENT_NOT_FOUND", "no deployment " + id);
                    }
                    if (!identity.hasRole("operator") && !owners.get(0).equals(jwt.getSubject())) {
                        throw ProblemException.forbidden("only the deployment's owner or an operator may read its usage");
                    }
                    return days(String.format(DAYS, "user_id", "deployment_id"), id, from, to);
                });
    }

    @GET
    @Path("/epochs/{n}")
    @PermitAll
    public Uni<Map<String, Object>> epoch(@PathParam("n") long n) {
        if (n < 0) {
            throw ProblemException.badRequest("INVALID_EPOCH", "epoch must be >= 0");
        }
        return Panache.withSession(() -> Panache.getSession().flatMap(s -> s.createNativeQuery(
                "SELECT epoch_start::text, epoch_end::text, closed_at::text FROM epoch WHERE epoch_idx = ?1", Object[].class)
                .setParameter(1, n).getResultList().flatMap(e -> {
                    if (e.isEmpty()) {
                        return Uni.createFrom().item(Map.<String, Object>of("epoch", n, "state", "OPEN"));
                    }
                    return s.createNativeQuery("""
                            SELECT deployment_id, requests, gross, charged, compute, net FROM epoch_model WHERE epoch_idx = ?1
                            ORDER BY deployment_id""", Object[].class).setParameter(1, n).getResultList()
                            .flatMap(rows -> s.createNativeQuery("""
                                    SELECT deployment_id, reason FROM epoch_excluded WHERE epoch_idx = ?1 ORDER BY deployment_id""",
                                    Object[].class).setParameter(1, n).getResultList()
                                    .map(excluded -> Map.<String, Object>of("epoch", n, "state", "CLOSED", "epochStart", e.get(0)[0],
                                    "epochEnd", e.get(0)[1], "closedAt", e.get(0)[2],
                                    "models", rows.stream().map(r -> Map.of("deploymentId", r[0], "requests", r[1],
                                            "gross", usdc(r[2]), "charged", usdc(r[3]), "compute", usdc(r[4]), "net", usdc(r[5])))
                                            .toList(),
                                    // deployments stuck past fomo.billing.epoch-close.stuck-wait: the epoch closed without them
                                    "excluded", excluded.stream().map(x -> Map.of("deploymentId", x[0], "reason", x[1])).toList())));
                })));
    }

    private Uni<List<DayUsage>> days(String sql, String key, String from, String to) {
        LocalDate f = date("from", from, LocalDate.of(1970, 1, 1));
        LocalDate t = date("to", to, LocalDate.of(9999, 12, 30));
        if (t.isBefore(f)) {
            throw ProblemException.badRequest("INVALID_RANGE", "to is before from");
        }
        return Panache.withSession(() -> Panache.getSession().flatMap(s -> s.createNativeQuery(sql, Object[].class)
                .setParameter(1, key).setParameter(2, f.atStartOfDay().atOffset(java.time.ZoneOffset.UTC)).setParameter(3, t.plusDays(1).atStartOfDay().atOffset(java.time.ZoneOffset.UTC)).getResultList()))
                .map(rows -> rows.stream().map(r -> new DayUsage((String) r[0], (String) r[1], toDate(r[2]),
                        ((Number) r[3]).longValue(), ((Number) r[4]).longValue(), ((Number) r[5]).longValue(),
                        usdc(r[6]), usdc(r[7]), usdc(r[8]), usdc(r[9]))).toList());
    }

    private static LocalDate toDate(Object o) {
        if (o instanceof LocalDate d) {
            return d;
        }
        if (o instanceof java.sql.Date d) {
            return d.toLocalDate();
        }
        return LocalDate.parse(o.toString());
    }

    private static LocalDate date(String name, String value, LocalDate dflt) {
        if (value == null || value.isBlank()) {
            return dflt;
        }
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest("INVALID_DATE", name + " must be an ISO date (YYYY-MM-DD)");
        }
    }

    static String usdc(Object numeric) {
        return HoldService.usdc(((BigDecimal) numeric).toBigIntegerExact());
    }
}
