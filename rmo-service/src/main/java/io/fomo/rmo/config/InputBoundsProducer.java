package io.fomo.rmo.config;

import io.fomo.rmo.web.Bounds;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The input maxima ({@code fomo.rmo.bounds.*}) as the one {@link Bounds} rule the resources inject. */
@ApplicationScoped
public class InputBoundsProducer {

    @Produces
    @Singleton
    Bounds bounds(RmoConfig config) {
        return config.inputBounds();
    }
}
