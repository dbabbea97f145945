package io.fomo.shared.web;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import io.fomo.shared.errors.ErrorCode;
import io.fomo.shared.money.InvalidAmountException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.AuthenticationFailedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

/**
 * Maps every failure of a REST call to RFC 9457 problem+json with a stable {@code code} (SPEC §9): a refusal of the
 * vocabulary ({@link ErrorCode}) with its code's one HTTP status; what the framework itself refused (an unknown path,
 * a wrong method or media type) with the framework's status.
 */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response problem(ProblemException e, UriInfo uri) {
        return respond(e.status(), e.code(), e.getMessage(), uri);
    }

    @ServerExceptionMapper
    public Response invalidAmount(InvalidAmountException e, UriInfo uri) {
        return respond(ErrorCode.INVALID_AMOUNT, e.getMessage(), uri);
    }

    @ServerExceptionMapper
    public Response illegalArgument(IllegalArgumentException e, UriInfo uri) {
        return respond(ErrorCode.INVALID_REQUEST, e.getMessage(), uri);
    }

    @ServerExceptionMapper({JsonProcessingException.class, MismatchedInputException.class})
    public Response malformedJson(Exception e, UriInfo uri) {
        Response refused = refusedValue(e, uri);
        return refused != null ? refused
                : respond(ErrorCode.MALFORMED_REQUEST, "The request body is not valid JSON for this endpoint", uri);
    }

    @ServerExceptionMapper({UnauthorizedException.class, AuthenticationFailedException.class})
    public Response unauthorized(Exception e, UriInfo uri) {
        return respond(ErrorCode.UNAUTHENTICATED, "A valid bearer token is required", uri);
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri) {
        return respond(ErrorCode.FORBIDDEN, "Your roles do not allow this", uri);
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, UriInfo uri) {
        int status = e.getResponse().getStatus();
        if (status == 400) {
            // The framework refused to read the request (malformed JSON, wrong types, bad parameters).
            Response refused = refusedValue(e, uri);
            if (refused != null) {
                return refused;
            }
            return respond(ErrorCode.MALFORMED_REQUEST, "The request could not be read" + causeOf(e), uri);
        }
        String code = switch (status) {
            case 404 -> "NOT_FOUND";
            case 405 -> "METHOD_NOT_ALLOWED";
            case 406, 415 -> "UNSUPPORTED_MEDIA_TYPE";
            case 401 -> "UNAUTHENTICATED";
            case 403 -> "FORBIDDEN";
            default -> status >= 500 ? "INTERNAL" : "INVALID_REQUEST";
        };
        return respond(status, code, status == 404 ? "No such resource" : e.getMessage(), uri);
    }

    @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER + 1000)
    public Response unexpected(Throwable e, UriInfo uri) {
        Response refused = refusedValue(e, uri);
        if (refused != null) {
            return refused;
        }
        ProblemException data = DataErrors.refusalFor(e);
        if (data != null) {
            LOG.warnf("%s on %s: %s (a validation should have refused it first)", data.code(), uri.getPath(), e.getMessage());
            return respond(data.status(), data.code(), data.getMessage(), uri);
        }
        LOG.errorf(e, "unexpected failure on %s", uri.getPath());
        return respond(ErrorCode.INTERNAL, "An unexpected error occurred; the request id identifies it in the logs", uri);
    }

    /**
     * A value the JSON reader refused, found anywhere in the cause chain, as the problem to answer:
     * {@link DecimalString} → {@code INVALID_AMOUNT}; {@link StrictJson}'s text rule → {@code INVALID_REQUEST}; a field
     * the body's type does not have (where an endpoint refuses unknown fields) → {@code MALFORMED_REQUEST} naming it;
     * an amount or a problem thrown while reading → itself. {@code null} when none of these is the cause. Endpoints
     * that read a raw body themselves (a signed webhook) answer through this too, so every service says the same.
     */
    public static ProblemException refusalOf(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof DecimalString.NotAString n) {
                return ErrorCode.INVALID_AMOUNT.problem(n.getOriginalMessage());
            }
            if (t instanceof StrictJson.RefusedText r) {
                return ErrorCode.INVALID_REQUEST.problem(r.getOriginalMessage());
            }
            if (t instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException u) {
                String name = u.getPropertyName();
                return ErrorCode.MALFORMED_REQUEST.problem("unknown field "
                        + (name == null || Text.problem(name, 64) != null ? "(unprintable)" : "\"" + name + "\""));
            }
            if (t instanceof InvalidAmountException a) {
                return ErrorCode.INVALID_AMOUNT.problem(a.getMessage());
            }
            if (t instanceof ProblemException p) {
                return p;
            }
        }
        return null;
    }

    private static Response refusedValue(Throwable e, UriInfo uri) {
        ProblemException p = refusalOf(e);
        return p == null ? null : respond(p.status(), p.code(), p.getMessage(), uri);
    }

    private static String causeOf(Throwable e) {
        Throwable cause = e.getCause();
        if (cause == null || cause.getMessage() == null) {
            return "";
        }
        String message = cause.getMessage().lines().findFirst().orElse("");
        return ": " + (message.length() > 200 ? message.substring(0, 200) + "..." : message);
    }

    private static Response respond(ErrorCode code, String detail, UriInfo uri) {
        return respond(code.http(), code.code(), detail, uri);
    }

    static Response respond(int status, String code, String detail, UriInfo uri) {
        return Response.status(status)
                .type(Problem.MEDIA_TYPE)
                .entity(Problem.of(status, code, detail, uri == null ? null : uri.getPath(), RequestIds.current()))
                .build();
    }
}
