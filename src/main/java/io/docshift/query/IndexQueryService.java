package io.docshift.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.docshift.db.Jdbc;
import io.docshift.document.Page;
import io.docshift.document.TableName;
import io.docshift.document.store.CursorSigner;
import io.docshift.document.store.DocTable;
import io.docshift.document.store.DocumentId;
import io.docshift.document.store.StoredDocument;
import io.docshift.document.store.TableRegistry;
import io.docshift.error.InvalidRequest;
import io.docshift.error.NotFound;
import io.docshift.schema.ActiveSchema;
import io.docshift.schema.IndexSpec;
import io.docshift.schema.SchemaEnforcer;
import io.docshift.schema.TableSchema;
import io.docshift.schema.index.IndexCatalog;
import io.docshift.schema.index.IndexNames;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/** Convex's {@code withIndex(...).paginate(...)}: pages of a table in the order of one of its indexes. */
@ApplicationScoped
public class IndexQueryService {

    static final String BY_CREATION_TIME = "by_creation_time";
    private static final ObjectMapper MAPPER = io.docshift.json.Json.MAPPER;

    @Inject
    ActiveSchema active;
    @Inject
    TableRegistry tables;
    @Inject
    IndexCatalog catalog;
    @Inject
    CursorSigner signer;
    @Inject
    DataSource dataSource;
    @Inject
    SchemaEnforcer enforcer;

    public Page query(String tableName, QueryRequest q) {
        IndexQuerySql.Built built = plan(tableName, q);
        DocTable table = tables.find(tableName).orElseThrow();
        int keys = built.keys();
        // the connection is released before anything else may need one (signing, upgrades): never two at once
        Rows rows = Jdbc.call(dataSource, c -> {
            List<StoredDocument> docs = new ArrayList<>();
            List<String> lastKeys = List.of();
            try (PreparedStatement p = c.prepareStatement(built.sql())) {
                bind(p, built.params());
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        if (docs.size() == q.limit()) {
                            return new Rows(docs, lastKeys, false);
                        }
                        docs.add(new StoredDocument(DocumentId.fromUuid(r.getObject(1, UUID.class)), r.getString(2), r.getInt(3 + keys), r.getLong(4 + keys)));
                        List<String> k = new ArrayList<>(keys);
                        for (int i = 0; i < keys; i++) {
                            k.add(r.getString(3 + i));
                        }
                        lastKeys = k;
                    }
                }
            }
            return new Rows(docs, lastKeys, true);
        });
        Page page = page(table, q, rows.docs(), rows.lastKeys(), rows.done());
        return new Page(enforcer.forRead(tableName, page.documents()), page.continueCursor(), page.isDone());
    }

    private record Rows(List<StoredDocument> docs, List<String> lastKeys, boolean done) {
    }

    /** The SQL this query runs (one row more than the limit, to know whether it is done). */
    public IndexQuerySql.Built plan(String tableName, QueryRequest q) {
        TableName.require(tableName, "table");
        DocTable table = tables.find(tableName).orElseThrow(() -> new NotFound("No table named '" + tableName + "'."));
        List<String> fields = indexFields(tableName, table, q.index());
        int k = q.eq().size();
        if (k > fields.size()) {
            throw InvalidRequest.at("/eq", "index " + q.index() + " has only " + fields.size() + " field(s): " + fields);
        }
        List<String> eqValues = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            JsonNode v = q.eq().get(fields.get(i));
            if (v == null) {
                throw InvalidRequest.at("/eq", "equality must cover a prefix of the index fields " + fields
                        + "; expected " + fields.get(i) + " next");
            }
            eqValues.add(v.toString());
        }
        DeclaredTypes.check(active.current(), tableName, q.eq());
        String rangeType = null;
        String lower = null;
        String upper = null;
        UUID idLower = null;
        UUID idUpper = null;
        QueryRequest.Range range = q.range();
        if (range != null) {
            boolean creationTime = q.index().equals(BY_CREATION_TIME);
            String next = creationTime ? "_creationTime" : k < fields.size() ? fields.get(k) : null;
            if (!range.field().equals(next)) {
                throw InvalidRequest.at("/range/field", next == null ? "every field of the index is fixed by eq; no range is possible"
                        : "the range must be on " + next + ", the index field after the equality prefix");
            }
            if (creationTime) {
                idLower = range.lower() == null ? null : IndexQuerySql.firstIdAt(table, millis(range.lower(), "/range") + (range.lowerInclusive() ? 0 : 1));
                idUpper = range.upper() == null ? null : IndexQuerySql.firstIdAt(table, millis(range.upper(), "/range") + (range.upperInclusive() ? 1 : 0));
            } else {
                rangeType = boundType(range);
                lower = range.lower() == null ? null : range.lower().toString();
                upper = range.upper() == null ? null : range.upper().toString();
            }
        }
        List<String> afterKeys = null;
        UUID afterId = null;
        if (q.cursor() != null) {
            JsonNode cursor = decode(table, q);
            afterId = DocumentId.parse(cursor.path("id").asText(), "/cursor").toUuid();
            afterKeys = new ArrayList<>();
            for (JsonNode key : cursor.path("k")) {
                afterKeys.add(key.asText());
            }
            if (afterKeys.size() != fields.size() - k) {
                throw InvalidRequest.at("/cursor", "this cursor belongs to another query");
            }
        }
        return IndexQuerySql.build(new IndexQuerySql.Spec(table, fields, eqValues, rangeType, lower,
                range != null && range.lowerInclusive(), upper, range != null && range.upperInclusive(),
                idLower, idUpper, afterKeys, afterId, q.ascending(), q.limit() + 1));
    }

    private List<String> indexFields(String tableName, DocTable table, String index) {
        if (index.equals(BY_CREATION_TIME)) {
            return List.of();
        }
        ActiveSchema.Snapshot schema = active.current();
        TableSchema ts = schema.schema() == null ? null : schema.schema().table(tableName);
        IndexSpec spec = ts == null ? null : ts.indexes().stream().filter(i -> i.name().equals(index)).findFirst().orElse(null);
        if (spec == null) {
            throw InvalidRequest.at("/index", "table " + tableName + " has no index '" + index + "'");
        }
        if (!catalog.isReady(IndexNames.physical(table.number(), spec))) {
            throw InvalidRequest.at("/index", "index '" + index + "' is not ready yet (it is being built); see GET /api/schema");
        }
        return spec.fields();
    }

    private static String boundType(QueryRequest.Range range) {
        String lower = range.lower() == null ? null : type(range.lower());
        String upper = range.upper() == null ? null : type(range.upper());
        if (lower != null && upper != null && !lower.equals(upper)) {
            throw InvalidRequest.at("/range", "both bounds must be of one type (numbers compare as numbers, strings as strings)");
        }
        return lower != null ? lower : upper;
    }

    private static String type(JsonNode v) {
        if (v.isNumber()) {
            return "number";
        }
        if (v.isTextual()) {
            return "string";
        }
        if (v.isBoolean()) {
            return "boolean";
        }
        throw InvalidRequest.at("/range", "range bounds are numbers, strings or booleans");
    }

    private static long millis(JsonNode v, String path) {
        if (!v.isNumber() || v.asLong() < 0 || v.asLong() > (1L << 47)) {
            throw InvalidRequest.at(path, "_creationTime bounds are milliseconds since the epoch");
        }
        return v.asLong();
    }

    private Page page(DocTable table, QueryRequest q, List<StoredDocument> docs, List<String> lastKeys, boolean done) {
        String cursor = "";
        if (!docs.isEmpty()) {
            ObjectNode payload = MAPPER.createObjectNode()
                    .put("t", table.number()).put("x", q.index()).put("o", q.ascending() ? "a" : "d").put("q", queryHash(q))
                    .put("id", docs.get(docs.size() - 1).id().toString());
            lastKeys.forEach(payload.putArray("k")::add);
            cursor = signer.sign(payload.toString().getBytes(StandardCharsets.UTF_8));
        } else if (q.cursor() != null) {
            cursor = q.cursor();
        }
        return new Page(docs, cursor, done);
    }

    private JsonNode decode(DocTable table, QueryRequest q) {
        byte[] payload = signer.verify(q.cursor(), "/cursor");
        try {
            JsonNode c = MAPPER.readTree(payload);
            if (c.path("t").asInt(-1) != table.number() || !q.index().equals(c.path("x").asText())
                    || !(q.ascending() ? "a" : "d").equals(c.path("o").asText()) || !queryHash(q).equals(c.path("q").asText())) {
                throw InvalidRequest.at("/cursor", "this cursor belongs to another query (table, index, order, eq and range must match)");
            }
            return c;
        } catch (java.io.IOException e) {
            throw InvalidRequest.at("/cursor", "not a cursor of an index query");
        }
    }

    private static String queryHash(QueryRequest q) {
        try {
            String text = MAPPER.writeValueAsString(q.eq()) + "|" + (q.range() == null ? "" : MAPPER.writeValueAsString(q.range()));
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)), 0, 8);
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void bind(PreparedStatement p, List<Object> params) throws java.sql.SQLException {
        for (int i = 0; i < params.size(); i++) {
            Object v = params.get(i);
            if (v instanceof String s) {
                p.setString(i + 1, s);
            } else {
                p.setObject(i + 1, v);
            }
        }
    }
}
