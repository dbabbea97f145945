package io.fomo.rmo;

import java.time.Duration;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** {@link Bounds} from {@code fomo.rmo.bounds.*} (documented in the README). */
@ApplicationScoped
public class BoundsProducer {

    @Produces
    @Singleton
    Bounds bounds(@ConfigProperty(name = "fomo.rmo.bounds.max-price-per-million", defaultValue = "1000000") String maxPrice,
            @ConfigProperty(name = "fomo.rmo.bounds.max-offering-price", defaultValue = "1000000") String maxOfferingPrice,
            @ConfigProperty(name = "fomo.rmo.bounds.max-duration", defaultValue = "P3650D") Duration maxDuration,
            @ConfigProperty(name = "fomo.rmo.bounds.max-ahead", defaultValue = "P365D") Duration maxAhead,
            @ConfigProperty(name = "fomo.rmo.bounds.max-past", defaultValue = "P1D") Duration maxPast) {
        return Bounds.of(maxPrice, maxOfferingPrice, maxDuration, maxAhead, maxPast);
    }
}
