package io.docshift.transfer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.docshift.document.TableName;
import io.docshift.document.json.DocumentJson;
import io.docshift.document.store.DocTable;
import io.docshift.document.store.TableRegistry;
import io.docshift.document.store.DocumentId;
import io.docshift.error.NotFound;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Streams documents out as newline-delimited JSON from one consistent snapshot (a repeatable-read, read-only
 * transaction): the active schema and every document of the chosen tables as they were at one instant, while
 * writes go on. Rows are fetched through a server-side cursor and written as they come, so memory stays flat
 * however big the tables are.
 * <p>
 * The stream: a {@code header} line (format, time, schema, tables with their numbers, the definitions of the
 * migrations the schema names), then per table its
 * {@code document} lines ({@code {"kind": "document", "table": t, "document": {"_id", "_creationTime", ...}}})
 * and a {@code table} line with its count, and an {@code end} line with the total: a stream without it was
 * cut short.
 */
@ApplicationScoped
public class ExportService {

    private static final ObjectMapper MAPPER = io.docshift.json.Json.MAPPER;
    private static final int FETCH = 2_000;

    @Inject
    DataSource dataSource;
    @Inject
    TableRegistry registry;

    /** The tables to export: those named (404 for one that does not exist), or all of them. */
    public List<DocTable> tables(List<String> names) {
        Map<String, DocTable> all = new LinkedHashMap<>();
        registry.all().forEach(t -> all.put(t.name(), t));
        if (names.isEmpty()) {
            return new ArrayList<>(all.values());
        }
        List<DocTable> out = new ArrayList<>();
        for (String n : names) {
            TableName.require(n, "table");
            DocTable t = all.get(n);
            if (t == null) {
                throw new NotFound("No table named '" + n + "'.");
            }
            out.add(t);
        }
        return out;
    }

    /** Writes the export of {@code tables} to {@code out}. */
    public void export(List<DocTable> tables, OutputStream out) throws IOException {
        BufferedWriter w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("set transaction isolation level repeatable read, read only");
            }
            try {
                w.write(header(c, tables));
                w.write('\n');
                long total = 0;
                for (DocTable t : tables) {
                    long n = documents(c, t, w);
                    total += n;
                    w.write("{\"kind\":\"table\",\"name\":\"" + t.name() + "\",\"documents\":" + n + "}\n");
                }
                w.write("{\"kind\":\"end\",\"documents\":" + total + "}\n");
                w.flush();
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            // the status line is gone already: the stream ends without its "end" line, which tells the client
            throw new UncheckedIOException(new IOException("export failed: " + e.getMessage(), e));
        }
    }

    private static String header(Connection c, List<DocTable> tables) throws SQLException, IOException {
        ObjectNode h = MAPPER.createObjectNode().put("kind", "header").put("format", 1).put("exportedAt", Instant.now().toString());
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("select v.version, v.hash, v.source::text from docshift.schema_state st"
                + " join docshift.schema_version v on v.version = st.active_version")) {
            if (r.next()) {
                h.putObject("schema").put("version", r.getInt(1)).put("hash", r.getString(2)).set("schema", MAPPER.readTree(r.getString(3)));
            } else {
                h.putNull("schema");
            }
        }
        ArrayNode list = h.putArray("tables");
        tables.forEach(t -> list.addObject().put("name", t.name()).put("number", t.number()));
        h.set("migrations", migrations(c, h.path("schema").path("schema").path("migrations")));
        return MAPPER.writeValueAsString(h);
    }

    /**
     * The definitions of the migrations the schema names, from the same snapshot: a restore into a fresh database
     * registers them before it pushes the schema, which would otherwise be refused for naming unknown migrations.
     */
    private static ArrayNode migrations(Connection c, com.fasterxml.jackson.databind.JsonNode names) throws SQLException, IOException {
        ArrayNode out = MAPPER.createArrayNode();
        List<String> wanted = new ArrayList<>();
        names.forEach(n -> wanted.add(n.asText()));
        if (wanted.isEmpty()) {
            return out;
        }
        try (PreparedStatement p = c.prepareStatement("select name, kind, definition::text from docshift.migration where name = any(?) order by name")) {
            p.setArray(1, c.createArrayOf("text", wanted.toArray()));
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    out.addObject().put("name", r.getString(1)).put("kind", r.getString(2)).set("definition", MAPPER.readTree(r.getString(3)));
                }
            }
        }
        return out;
    }

    private static long documents(Connection c, DocTable t, BufferedWriter w) throws SQLException, IOException {
        String prefix = "{\"kind\":\"document\",\"table\":\"" + t.name() + "\",\"document\":";
        long n = 0;
        try (PreparedStatement p = c.prepareStatement("select id, creation_time, data::text from " + t.sqlName() + " order by id")) {
            p.setFetchSize(FETCH);
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    w.write(prefix);
                    w.write(DocumentJson.render(DocumentId.fromUuid(r.getObject(1, UUID.class)).toString(), r.getLong(2), r.getString(3)));
                    w.write("}\n");
                    n++;
                }
            }
        }
        return n;
    }
}
