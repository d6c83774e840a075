package io.docshift.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.docshift.db.Jdbc;
import io.docshift.document.json.JsonPath;
import io.docshift.document.store.DocTable;
import io.docshift.document.store.DocumentId;
import io.docshift.error.Violation;
import io.docshift.schema.validate.Validator;
import io.docshift.schema.validate.Violations;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Checks the documents already stored against a validator, counting every violating document (not just
 * the first, as Convex does) and keeping up to {@code examples} of them with their violations. Streams the
 * table with a server-side cursor, so memory stays flat however big the table is.
 */
@ApplicationScoped
public class SchemaChecker {

    private static final int FETCH = 5_000;
    private static final ObjectMapper MAPPER = io.docshift.json.Json.MAPPER;

    @Inject
    DataSource dataSource;

    /** Checks every document of {@code table} on a connection of its own. */
    public TableReport check(DocTable table, Validator validator, int examples) {
        return Jdbc.call(dataSource, c -> {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false); // a cursor-based fetch needs a transaction
            try {
                return check(c, table, validator, -1, examples);
            } finally {
                c.rollback();
                c.setAutoCommit(autoCommit);
            }
        });
    }

    /**
     * Checks, on {@code c} (which must be in a transaction), the documents of {@code table}: all of them, or only
     * those written after revision {@code afterRevision} when it is not negative.
     */
    public TableReport check(Connection c, DocTable table, Validator validator, long afterRevision, int examples) throws SQLException {
        return check(c, table, validator, "data", afterRevision >= 0 ? "revision > " + afterRevision : "true", List.of(), examples);
    }

    /**
     * Checks, on {@code c} (in a transaction), the bodies that the SQL expression {@code body} (over a row
     * {@code u}) gives the documents of {@code table} matching {@code where}; {@code params} bind in text order.
     */
    public TableReport check(Connection c, DocTable table, Validator validator, String body, String where, List<Object> params, int examples)
            throws SQLException {
        return check(c, table.sqlName(), table.name(), validator, body, where, params, examples);
    }

    /**
     * {@link #check(Connection, DocTable, Validator, String, String, List, int)} over {@code relation}, a quoted
     * physical table holding documents of logical table {@code tableName} (a rehearsal's copy, say).
     */
    public TableReport check(Connection c, String relation, String tableName, Validator validator, String body, String where, List<Object> params,
                             int examples) throws SQLException {
        String sql = "select u.id, (" + body + ")::text from " + relation + " u where " + where;
        try (PreparedStatement p = c.prepareStatement(sql)) {
            int i = 1;
            for (Object v : params) {
                p.setObject(i++, v);
            }
            p.setFetchSize(FETCH);
            long violating = 0;
            List<TableReport.Example> found = new ArrayList<>();
            JsonPath path = new JsonPath();
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    JsonNode doc = MAPPER.readTree(r.getString(2));
                    if (validator.validate(doc, path, null)) {
                        continue;
                    }
                    violating++;
                    if (found.size() < examples) {
                        addExamples(validator, DocumentId.fromUuid(r.getObject(1, UUID.class)).toString(), doc, found, examples);
                    }
                }
            }
            return new TableReport(tableName, violating, found);
        } catch (IOException e) {
            throw new IllegalStateException("a stored document is not JSON", e);
        }
    }

    /** Adds the violations of document {@code id} to {@code found}, one example each, until it holds {@code max}. */
    public static void addExamples(Validator validator, String id, JsonNode doc, List<TableReport.Example> found, int max) {
        Violations v = new Violations();
        validator.validate(doc, new JsonPath(), v);
        for (Violation one : v.list()) {
            if (found.size() < max) {
                found.add(new TableReport.Example(id, one.path(), one.message()));
            }
        }
    }
}
