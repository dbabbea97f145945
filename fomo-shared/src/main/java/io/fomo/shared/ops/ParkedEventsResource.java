package io.fomo.shared.ops;

import java.time.Instant;
import java.util.List;

import io.fomo.shared.errors.ErrorCode;
import io.fomo.shared.events.Inbox;
import io.fomo.shared.events.ParkedEvent;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code GET /api/v1/ops/parked[?consumer=&limit=]} and {@code GET /api/v1/ops/parked/{consumer}/{eventId}} (operator;
 * issue #19): the events this service's inbox parked, oldest first, with what each waits for, since when, how many
 * attempts did not apply it, the last reason and when the next attempt is due. The one event adds its body as received.
 */
@Path("/api/v1/ops/parked")
public class ParkedEventsResource {

    /** One parked event in the list. */
    public record ParkedItem(String consumer, String eventId, String type, String waitingFor, String reason, int attempts,
            Instant parkedAt, Instant lastAttemptAt, Instant nextAttemptAt) {
        static ParkedItem of(ParkedEvent p) {
            return new ParkedItem(p.consumer(), p.eventId(), p.type(), p.waitingFor(), p.reason(), p.attempts(),
                    p.parkedAt(), p.lastAttemptAt(), p.nextAttemptAt());
        }
    }

    /** The list. */
    public record ParkedView(List<ParkedItem> items) {
    }

    /** One parked event, with its body and the delivery's routing key and {@code user_id}. */
    public record ParkedDetail(String consumer, String eventId, String type, String waitingFor, String reason, int attempts,
            Instant parkedAt, Instant lastAttemptAt, Instant nextAttemptAt, String routingKey, String userId, String body) {
    }

    @Inject
    Inbox inbox;

    @GET
    @RolesAllowed("operator")
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<ParkedView> list(@QueryParam("consumer") String consumer, @QueryParam("limit") String limit) {
        String only = OpsParams.name(consumer, "consumer", true);
        int n = OpsParams.limit(limit);
        return inbox.parked(only, n).map(items -> new ParkedView(items.stream().map(ParkedItem::of).toList()));
    }

    @GET
    @Path("{consumer}/{eventId}")
    @RolesAllowed("operator")
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<ParkedDetail> one(@PathParam("consumer") String consumer, @PathParam("eventId") String eventId) {
        String c = OpsParams.name(consumer, "consumer", false);
        String e = OpsParams.name(eventId, "eventId", false);
        return inbox.parked(c, e).map(found -> found.map(p -> new ParkedDetail(p.consumer(), p.eventId(), p.type(),
                p.waitingFor(), p.reason(), p.attempts(), p.parkedAt(), p.lastAttemptAt(), p.nextAttemptAt(), p.routingKey(),
                p.userId(), p.body()))
                .orElseThrow(() -> ErrorCode.NOT_FOUND.problem("no parked event " + e + " of consumer " + c)));
    }
}
