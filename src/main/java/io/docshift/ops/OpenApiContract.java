package io.docshift.ops;

import io.docshift.auth.AccessFilter;
import io.docshift.auth.Scope;
import io.docshift.document.TableName;
import io.docshift.events.EventResource;
import io.docshift.migration.MigrationParser;
import io.docshift.schema.contract.JsonSchemas;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Completes the OpenAPI document from what the service enforces, so the contract cannot drift from it: every
 * {@code /api} operation requires the bearer scheme with the scope {@link AccessFilter} demands of it, and may
 * answer 401 and 403 problems; and path parameters that the service checks before anything else declare the
 * pattern it checks them with (a table name, a document id, the name a migration is registered under).
 */
public class OpenApiContract implements OASFilter {

    static final String SCHEME = "apiKey";

    @Override
    public void filterOpenAPI(OpenAPI api) {
        if (api.getPaths() == null) {
            return;
        }
        for (Map.Entry<String, PathItem> path : api.getPaths().getPathItems().entrySet()) {
            if (!path.getKey().startsWith("/api")) {
                continue;
            }
            for (Map.Entry<PathItem.HttpMethod, Operation> op : path.getValue().getOperations().entrySet()) {
                Scope scope = AccessFilter.needed(op.getKey().name(), path.getKey());
                String name = scope.name().toLowerCase(Locale.ROOT);
                op.getValue().setSecurity(List.of(OASFactory.createSecurityRequirement().addScheme(SCHEME, name)));
                op.getValue().addExtension("x-docshift-scope", name);
                problem(op.getValue(), "401", "No API key, or one that is not valid");
                problem(op.getValue(), "403", "The key lacks the '" + name + "' scope");
                bound(path.getKey(), op.getKey(), path.getValue().getParameters());
                bound(path.getKey(), op.getKey(), op.getValue().getParameters());
            }
        }
    }

    /**
     * The pattern of a path parameter, where a value out of it is refused with 400 (not looked up, not 404), and the
     * kinds of event a stream can be filtered by.
     */
    private static void bound(String path, PathItem.HttpMethod method, List<Parameter> parameters) {
        if (parameters == null) {
            return;
        }
        for (Parameter p : parameters) {
            if (p.getIn() == Parameter.In.QUERY && p.getName().equals("kind") && path.equals("/api/events") && p.getSchema() != null) {
                p.getSchema().setItems(OASFactory.createSchema().addType(org.eclipse.microprofile.openapi.models.media.Schema.SchemaType.STRING)
                        .enumeration(new java.util.ArrayList<>(new java.util.TreeSet<>(EventResource.KINDS))));
            }
            if (p.getIn() != Parameter.In.PATH || p.getSchema() == null) {
                continue;
            }
            String pattern = switch (p.getName()) {
                case "table" -> path.startsWith("/api/tables/") ? anchored(TableName.VALID.pattern()) : null;
                case "id" -> path.startsWith("/api/tables/") ? JsonSchemas.ID_PATTERN : null;
                case "name" -> method == PathItem.HttpMethod.PUT && path.startsWith("/api/migrations/") ? anchored(MigrationParser.NAME.pattern()) : null;
                default -> null;
            };
            if (pattern != null) {
                p.getSchema().setPattern(pattern);
            }
        }
    }

    private static String anchored(String regex) {
        return "^" + regex + "$";
    }

    private static void problem(Operation op, String status, String description) {
        if (op.getResponses().getAPIResponse(status) != null) {
            return;
        }
        Content content = OASFactory.createContent().addMediaType("application/problem+json",
                OASFactory.createMediaType().schema(OASFactory.createSchema().ref("Problem")));
        APIResponse response = OASFactory.createAPIResponse().description(description).content(content);
        op.getResponses().addAPIResponse(status, response);
    }
}
