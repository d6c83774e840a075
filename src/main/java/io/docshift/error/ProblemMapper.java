package io.docshift.error;

import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one place where failures become HTTP responses: every error leaves as RFC 9457
 * {@code application/problem+json}. Only 5xx are logged at error level; nothing internal (class names,
 * SQL) reaches the client.
 */
public class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    @jakarta.inject.Inject
    io.docshift.db.Pools pools;
    private static final String TYPE_PREFIX = "urn:docshift:problem:";
    /** The challenge of every 401. */
    public static final String WWW_AUTHENTICATE = "Bearer realm=\"docshift\"";

    private record Kind(int status, String slug, String title) {
    }

    /** Domain exception to status; a subclass inherits its parent's row unless it has its own. */
    private static final Map<Class<? extends DocshiftException>, Kind> KINDS = Map.of(
            InvalidRequest.class, new Kind(400, "invalid-request", "Invalid request"),
            PayloadTooLarge.class, new Kind(413, "payload-too-large", "Payload too large"),
            NotFound.class, new Kind(404, "not-found", "Not found"),
            Conflict.class, new Kind(409, "conflict", "Conflict"),
            Unauthorized.class, new Kind(401, "unauthorized", "Unauthorized"),
            Forbidden.class, new Kind(403, "forbidden", "Forbidden"),
            PreconditionFailed.class, new Kind(412, "precondition-failed", "Precondition failed"),
            Unprocessable.class, new Kind(422, "unprocessable", "The stored documents do not allow this"));

    @ServerExceptionMapper
    public Response domain(DocshiftException e) {
        return toResponse(e);
    }

    /** The problem+json response of a domain failure. */
    public static Response toResponse(DocshiftException e) {
        Response r = respond(problemOf(e));
        return e instanceof Unauthorized ? Response.fromResponse(r).header("WWW-Authenticate", WWW_AUTHENTICATE).build() : r;
    }

    /** The problem document of a domain failure; also used by HTTP filters, which answer before any resource. */
    public static Problem problemOf(DocshiftException e) {
        Kind kind = kindOf(e.getClass());
        return new Problem(TYPE_PREFIX + kind.slug(), kind.title(), kind.status(), e.getMessage(), e.violations(), e.tables(), e.extensions());
    }

    @ServerExceptionMapper
    public Response framework(WebApplicationException e) {
        Response.StatusType status = e.getResponse().getStatusInfo();
        if (status.getStatusCode() >= 500) {
            LOG.error("Request failed", e);
            return internal();
        }
        String detail = switch (status.getStatusCode()) {
            case 404 -> "No resource at this path.";
            case 405 -> "This method is not allowed on this path.";
            case 406 -> "This resource answers application/json only.";
            case 415 -> "Unsupported Content-Type: send application/json.";
            default -> "The request was not understood.";
        };
        String slug = status.getReasonPhrase().toLowerCase(Locale.ROOT).replace(' ', '-');
        return respond(new Problem(TYPE_PREFIX + slug, status.getReasonPhrase(), status.getStatusCode(), detail, List.of()));
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e, HttpServerRequest request) {
        if (ClientAborts.isClientAbort(e)) {
            // the client went away while its request was read or answered: nobody gets this, and it is no server error
            LOG.debugf("The client went away mid-request: %s", e.getMessage());
            return respond(new Problem(TYPE_PREFIX + "client-closed-request", "Client closed request", 400,
                    "The connection closed before the request was read.", List.of()));
        }
        SQLException sql = sqlCause(e);
        String state = sql == null ? null : sql.getSQLState();
        if (state != null && state.startsWith("22")) {
            // A data exception: PostgreSQL refused a value that the parser let through.
            LOG.warnf("PostgreSQL refused a value (%s): %s", state, sql.getMessage());
            return respond(new Problem(TYPE_PREFIX + "invalid-value", "Invalid request", 400,
                    "PostgreSQL cannot store a value of this document.", List.of()));
        }
        Overload overload = sql == null ? null : Overload.of(sql);
        if (overload != null) {
            pools.evictAfter(sql);
            LOG.warnf("Answering 503 (%s): %s", overload.reason(), sql.getMessage());
            boolean retryable = overload.rolledBack() || SAFE_TO_REPEAT.contains(request.method().name()) || request.getHeader("Idempotency-Key") != null;
            return Response.status(503).type(Problem.MEDIA_TYPE).header("Retry-After", Long.toString(overload.retryAfterSeconds()))
                    .entity(new Problem(TYPE_PREFIX + "unavailable", "Service unavailable", 503, overload.detail()
                            + (retryable ? " Nothing was written; the request is safe to retry." : " The write may or may not have happened; read before retrying."),
                            List.of(), List.of(), Map.of("retryable", retryable, "reason", overload.reason())))
                    .build();
        }
        LOG.error("Request failed", e);
        return internal();
    }

    /** Methods a client may repeat without changing the outcome (a merge patch applied twice is applied once). */
    private static final java.util.Set<String> SAFE_TO_REPEAT = java.util.Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH");

    /**
     * A failure that means the service or its database is too busy or briefly away, not that the request is
     * wrong: a 503 with Retry-After. {@code rolledBack}: PostgreSQL undid the statement, so nothing was written.
     */
    record Overload(String reason, String detail, boolean rolledBack, long retryAfterSeconds) {

        static Overload of(SQLException e) {
            String state = e.getSQLState();
            if (state == null) {
                String m = String.valueOf(e.getMessage());
                return m.contains("Acquisition timeout") || m.contains("acquisition timeout")
                        ? new Overload("pool", "Every database connection of this pod is busy.", true, 1) : null;
            }
            return switch (state) {
                case "55P03" -> new Overload("lock-timeout", "A schema change is checking this table; writes to it wait at most docshift.schema.gate-timeout.", true, 1);
                case "40001" -> new Overload("serialization", "The write conflicted with a concurrent one.", true, 1);
                case "40P01" -> new Overload("deadlock", "The write deadlocked with a concurrent one.", true, 1);
                case "57014" -> new Overload("cancelled", "The statement was cancelled (a statement timeout, or an operator).", true, 1);
                case "53300" -> new Overload("too-many-connections", "PostgreSQL has no connection slot left.", true, 2);
                case "25006" -> new Overload("read-only", "The database is read-only: a failover is under way.", true, 2);
                case "57P01", "57P02", "57P03" -> new Overload("database-restarting", "The database is restarting or failing over.", false, 2);
                default -> state.startsWith("08") ? new Overload("database-unreachable", "The database cannot be reached.", false, 2) : null;
            };
        }
    }

    private static Response internal() {
        return respond(new Problem(TYPE_PREFIX + "internal", "Internal server error", 500,
                "The request failed on the server; it has been logged.", List.of()));
    }

    private static Response respond(Problem problem) {
        return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem).build();
    }

    private static Kind kindOf(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            Kind kind = KINDS.get(c);
            if (kind != null) {
                return kind;
            }
        }
        return new Kind(500, "internal", "Internal server error");
    }

    private static SQLException sqlCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                return sql;
            }
        }
        return null;
    }
}
