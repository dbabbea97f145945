package io.fomo.shared.web;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;

/**
 * SPEC §2: "On every API an amount is a decimal string ... never a JSON number or a float." For the {@code String}
 * fields of request bodies that hold an amount or a price: {@code @JsonDeserialize(using = DecimalString.class)}.
 * A JSON number (or boolean, array, object) there is {@code 400 INVALID_AMOUNT}; the text itself is parsed by
 * {@link io.fomo.shared.money.Amount#parse} where the token is known (this only fixes the JSON type, and applies
 * {@link Text}).
 */
public class DecimalString extends StdScalarDeserializer<String> {

    private static final long serialVersionUID = 1L;

    /** A non-string amount; {@link ProblemMappers} answers it {@code INVALID_AMOUNT}. */
    public static final class NotAString extends InvalidFormatException {
        private static final long serialVersionUID = 1L;

        NotAString(JsonParser p, String msg) {
            super(p, msg, null, String.class);
        }
    }

    public DecimalString() {
        super(String.class);
    }

    @Override
    public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        String field = p.currentName() == null ? "the amount" : p.currentName();
        if (!p.hasToken(JsonToken.VALUE_STRING)) {
            throw new NotAString(p, field + " must be a decimal string such as \"0.25\" (SPEC §2), not "
                    + describe(p.currentToken()));
        }
        String text = p.getText();
        String problem = Text.problem(text, 64);
        if (problem != null) {
            throw new NotAString(p, field + " " + problem);
        }
        return text;
    }

    private static String describe(JsonToken token) {
        if (token == null) {
            return "nothing";
        }
        return switch (token) {
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a JSON number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case START_ARRAY -> "an array";
            case START_OBJECT -> "an object";
            default -> token.asString() == null ? token.name() : token.asString();
        };
    }
}
