package io.fomo.shared.ops;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.config.ConfigProvider;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.StreamSupport;

/** Operators' view of a running service: its name and the {@code fomo.*} tunables in effect. */
@Path("/api/v1/ops/service-info")
public class ServiceInfoResource {

    @GET
    @RolesAllowed("operator")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> info() {
        var config = ConfigProvider.getConfig();
        Map<String, String> tunables = new TreeMap<>();
        StreamSupport.stream(config.getPropertyNames().spliterator(), false)
                .filter(n -> n.startsWith("fomo.") && !n.contains("secret") && !n.contains("password"))
                .forEach(n -> config.getOptionalValue(n, String.class).ifPresent(v -> tunables.put(n, v)));
        return Map.of(
                "service", config.getOptionalValue("quarkus.application.name", String.class).orElse("unknown"),
                "tunables", tunables);
    }
}
