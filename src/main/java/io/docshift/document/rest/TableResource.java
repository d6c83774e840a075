package io.docshift.document.rest;

import io.docshift.document.DocumentsConfig;
import io.docshift.document.store.TableRegistry;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

/** {@code GET /api/tables}: the logical tables and their sizes. */
@Path("/api/tables")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Documents")
public class TableResource {

    /** A table as listed: its name and its document count (an estimate for big tables). */
    public record TableInfo(String name, long documents) {
    }

    @Inject
    TableRegistry tables;
    @Inject
    DocumentsConfig config;

    @GET
    @Operation(operationId = "listTables", summary = "List tables", description = "Counts are exact below docshift.documents.exact-count-below rows, estimates above.")
    @APIResponse(responseCode = "200", description = "[{\"name\", \"documents\"}]")
    public List<TableInfo> list() {
        return tables.summaries(config.exactCountBelow()).stream()
                .map(s -> new TableInfo(s.table().name(), s.documents()))
                .toList();
    }
}
