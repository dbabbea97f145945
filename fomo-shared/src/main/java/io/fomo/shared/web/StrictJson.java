package io.fomo.shared.web;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.module.SimpleModule;

import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * Every service's JSON reading (issue #17): a {@code String} field takes only a JSON string (a number, boolean,
 * array or object there is {@code 400 MALFORMED_REQUEST}; amounts say {@code INVALID_AMOUNT} through
 * {@link DecimalString}), and its text passes {@link Text} (no control characters, at most
 * {@value Text#MAX_LENGTH} characters; {@code 400 INVALID_REQUEST} otherwise). A JSON number that is not a whole
 * number is refused for an integer field, and no field coerces {@code null} into a primitive.
 */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {

    /** Thrown for a string that {@link Text} refuses; {@link ProblemMappers} answers it {@code INVALID_REQUEST}. */
    public static final class RefusedText extends InvalidFormatException {
        private static final long serialVersionUID = 1L;

        RefusedText(JsonParser p, String msg) {
            super(p, msg, null, String.class);
        }
    }

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.registerModule(new SimpleModule("fomo-strict-json").addDeserializer(String.class, new StrictString()));
        mapper.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
    }

    static final class StrictString extends StdScalarDeserializer<String> {
        private static final long serialVersionUID = 1L;

        StrictString() {
            super(String.class);
        }

        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (!p.hasToken(JsonToken.VALUE_STRING)) {
                return (String) ctxt.handleUnexpectedToken(String.class, p);
            }
            String text = p.getText();
            String problem = Text.problem(text);
            if (problem != null) {
                String field = p.currentName() == null ? "a string" : p.currentName();
                throw new RefusedText(p, field + " " + problem);
            }
            return text;
        }
    }
}
