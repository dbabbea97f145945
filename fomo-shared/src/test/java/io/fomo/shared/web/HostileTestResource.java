package io.fomo.shared.web;

import io.fomo.shared.errors.ErrorCode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;

import io.fomo.shared.events.TestCounter;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;

/** A test-only endpoint whose input reaches PostgreSQL as it came: only the shared input rules stand in between. */
@Path("/test/hostile")
public class HostileTestResource {

    public record Create(String name, @JsonDeserialize(using = DecimalString.class) String price, long size) {
    }

    public record Row(String name, long value) {
    }

    @POST
    @WithTransaction
    public Uni<Row> create(Create request) {
        if (request.name() == null) {
            throw ErrorCode.INVALID_REQUEST.problem("name is required");
        }
        var row = new TestCounter();
        row.name = "hostile-" + request.name();
        row.value = request.size();
        return row.persist().replaceWith(new Row(row.name, row.value));
    }

    @GET
    @Path("/{name}")
    public Uni<Row> get(@PathParam("name") String name, @QueryParam("like") String like) {
        String key = like != null ? like : name;
        return Panache.withSession(() -> TestCounter.<TestCounter>findById("hostile-" + key))
                .map(c -> {
                    if (c == null) {
                        throw new ProblemException(404, "NOT_FOUND", "no such row");
                    }
                    return new Row(c.name, c.value);
                });
    }
}
