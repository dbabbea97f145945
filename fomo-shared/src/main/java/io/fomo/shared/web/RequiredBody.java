package io.fomo.shared.web;

import java.io.IOException;

import io.fomo.shared.errors.ErrorCode;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;

/**
 * An endpoint that reads a JSON body never gets {@code null} for it: an empty body or the JSON literal {@code null}
 * is {@code 400 MALFORMED_REQUEST} (issue #17: it reached resources as a null request and answered 500), unless the
 * parameter is marked {@link OptionalBody}.
 */
@Provider
public class RequiredBody implements ReaderInterceptor {

    @Override
    public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException, WebApplicationException {
        Object body = context.proceed();
        if (body == null && !optional(context)) {
            throw ErrorCode.MALFORMED_REQUEST.problem("A JSON object is required as the request body");
        }
        return body;
    }

    private static boolean optional(ReaderInterceptorContext context) {
        for (var annotation : context.getAnnotations()) {
            if (annotation.annotationType() == OptionalBody.class) {
                return true;
            }
        }
        return false;
    }
}
