package io.fomo.shared.web;

import java.util.List;
import java.util.Map;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

/**
 * Issue #17: a path or query parameter with a control character (a NUL reached PostgreSQL and answered 500 on
 * {@code GET /tokens/{symbol}}, {@code /offerings/{id}}, ...) or longer than {@value #MAX_PARAMETER} characters is
 * {@code 400 INVALID_REQUEST} before any resource runs. Checked on the decoded path and parameters, and on every
 * header value (an {@code Idempotency-Key} reaches PostgreSQL too).
 */
public class HostileTextFilter {

    /** The longest path or query parameter value accepted. */
    static final int MAX_PARAMETER = 1024;
    private static final int MAX_PATH = 4096;
    private static final int MAX_HEADER = 8192;

    @ServerRequestFilter(preMatching = true)
    public Response refuseHostileText(ContainerRequestContext request) {
        UriInfo uri = request.getUriInfo();
        String problem = Text.problem(uri.getPath(true), MAX_PATH);
        if (problem != null) {
            return ProblemMappers.respond(400, "INVALID_REQUEST", "The request path " + problem, uri);
        }
        for (Map.Entry<String, List<String>> header : request.getHeaders().entrySet()) {
            for (String value : header.getValue()) {
                String headerProblem = Text.problem(value, MAX_HEADER);
                if (headerProblem != null) {
                    return ProblemMappers.respond(400, "INVALID_REQUEST", "The header " + header.getKey() + " " + headerProblem, null);
                }
            }
        }
        for (Map.Entry<String, List<String>> parameter : uri.getQueryParameters(true).entrySet()) {
            String name = parameter.getKey();
            String nameProblem = Text.problem(name, 128);
            if (nameProblem != null) {
                return ProblemMappers.respond(400, "INVALID_REQUEST", "A query parameter name " + nameProblem, null);
            }
            for (String value : parameter.getValue()) {
                String valueProblem = Text.problem(value, MAX_PARAMETER);
                if (valueProblem != null) {
                    return ProblemMappers.respond(400, "INVALID_REQUEST", "The query parameter " + name + " " + valueProblem, null);
                }
            }
        }
        return null;
    }
}
