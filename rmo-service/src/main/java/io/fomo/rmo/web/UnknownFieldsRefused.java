package io.fomo.rmo.web;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import jakarta.inject.Inject;
import jakarta.ws.rs.ext.ContextResolver;
import jakarta.ws.rs.ext.Provider;

/**
 * rmo's request bodies refuse a field they do not know ({@code 400 MALFORMED_REQUEST}) instead of ignoring it
 * (issue #17 counts "unknown fields" among malformed requests): a misspelt optional field such as {@code "softcap"}
 * would otherwise be dropped silently and the offering created with the default. The suite's shared JSON rules
 * (fomo-shared {@code StrictJson}) apply as well: this mapper is a copy of the application's.
 */
@Provider
public class UnknownFieldsRefused implements ContextResolver<ObjectMapper> {

    private final ObjectMapper strict;

    @Inject
    public UnknownFieldsRefused(ObjectMapper mapper) {
        this.strict = mapper.copy().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    @Override
    public ObjectMapper getContext(Class<?> type) {
        return strict;
    }
}
