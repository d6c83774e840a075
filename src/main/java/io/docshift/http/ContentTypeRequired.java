package io.docshift.http;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * A body sent to a resource that says what it consumes must say what it is: without a Content-Type (or with an
 * empty one) it is a 415, as for a type the resource does not take, never read as whatever the resource guesses.
 */
public class ContentTypeRequired {

    @ServerRequestFilter
    public void check(ContainerRequestContext request, ResourceInfo resource) {
        if (resource.getResourceMethod() == null || !consumes(resource) || !hasBody(request)) {
            return;
        }
        String type = request.getHeaderString(HttpHeaders.CONTENT_TYPE);
        if (type == null || type.isBlank()) {
            throw new NotSupportedException("The request has a body but no Content-Type");
        }
    }

    private static boolean consumes(ResourceInfo resource) {
        return resource.getResourceMethod().isAnnotationPresent(Consumes.class) || resource.getResourceClass().isAnnotationPresent(Consumes.class);
    }

    private static boolean hasBody(ContainerRequestContext request) {
        String length = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        return request.getHeaderString("Transfer-Encoding") != null || length != null && !length.trim().equals("0");
    }
}
