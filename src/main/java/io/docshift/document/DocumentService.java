package io.docshift.document;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.docshift.document.json.DocumentReader;
import io.docshift.document.store.DocTable;
import io.docshift.document.store.DocumentId;
import io.docshift.document.store.DocumentIds;
import io.docshift.document.store.DocumentStore;
import io.docshift.document.store.StoredDocument;
import io.docshift.document.store.TableRegistry;
import io.docshift.error.NotFound;
import io.docshift.ops.DocumentMetrics;
import io.docshift.schema.ActiveSchema;
import io.docshift.schema.SchemaEnforcer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import java.util.ArrayList;
import java.util.List;

/**
 * Convex's {@code ctx.db} over REST: insert, get, patch, replace, delete and paginate. Each write is one
 * transaction; a body is parsed and checked completely before anything is written.
 */
@ApplicationScoped
@Transactional
public class DocumentService {

    @Inject
    TableRegistry tables;
    @Inject
    DocumentStore store;
    @Inject
    DocumentIds ids;
    @Inject
    PageCursors cursors;
    @Inject
    DocumentMetrics metrics;
    @Inject
    SchemaEnforcer enforcer;

    public StoredDocument insert(String tableName, byte[] body) {
        TableName.require(tableName, "table");
        ObjectNode doc = DocumentReader.readDocument(body);
        ActiveSchema.Snapshot schema = enforcer.enterWrite();
        DocTable table = tables.getOrCreate(tableName);
        DocumentId id = ids.next(table.number());
        SchemaEnforcer.Accepted accepted = enforcer.accept(schema, tableName, List.of(id.toString()), List.of(doc), false).get(0);
        StoredDocument stored = store.insert(table, id, accepted.body(), accepted.version());
        metrics.written(tableName, "insert", 1);
        return stored;
    }

    /** Inserts every document or none; returns their ids in input order. */
    public List<DocumentId> insertBatch(String tableName, byte[] body) {
        TableName.require(tableName, "table");
        List<ObjectNode> docs = DocumentReader.readBatch(body);
        ActiveSchema.Snapshot schema = enforcer.enterWrite();
        DocTable table = tables.getOrCreate(tableName);
        List<DocumentId> newIds = new ArrayList<>(docs.size());
        for (int i = 0; i < docs.size(); i++) {
            newIds.add(ids.next(table.number()));
        }
        List<SchemaEnforcer.Accepted> accepted = enforcer.accept(schema, tableName, newIds.stream().map(DocumentId::toString).toList(), docs, true);
        store.insertAll(table, newIds, accepted.stream().map(SchemaEnforcer.Accepted::body).toList(),
                accepted.stream().map(SchemaEnforcer.Accepted::version).toList());
        metrics.written(tableName, "insert", docs.size());
        return newIds;
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public StoredDocument get(String tableName, String id) {
        DocTable table = existingTable(tableName);
        StoredDocument doc = store.find(table, idIn(table, id)).orElseThrow(() -> missing(tableName, id));
        return enforcer.forRead(tableName, List.of(doc)).get(0);
    }

    /**
     * Applies a JSON Merge Patch under a row lock. During and after a transition the patch applies to the
     * document as clients read it (new shape); a patch written for the old shape still works.
     */
    public StoredDocument patch(String tableName, String id, byte[] body) {
        DocTable table = existingTable(tableName);
        DocumentId docId = idIn(table, id);
        ObjectNode patch = DocumentReader.readPatch(body);
        ActiveSchema.Snapshot schema = enforcer.enterWrite();
        StoredDocument current = store.findForUpdate(table, docId).orElseThrow(() -> missing(tableName, id));
        SchemaEnforcer.Accepted accepted = enforcer.acceptPatch(schema, tableName, current, patch);
        StoredDocument stored = store.replace(table, docId, accepted.body(), accepted.version()).orElseThrow();
        metrics.written(tableName, "patch", 1);
        return stored;
    }

    /** Replaces the body; {@code _id} and {@code _creationTime} stay. */
    public StoredDocument replace(String tableName, String id, byte[] body) {
        DocTable table = existingTable(tableName);
        DocumentId docId = idIn(table, id);
        ObjectNode doc = DocumentReader.readDocument(body);
        ActiveSchema.Snapshot schema = enforcer.enterWrite();
        SchemaEnforcer.Accepted accepted = enforcer.accept(schema, tableName, List.of(id), List.of(doc), false).get(0);
        StoredDocument stored = store.replace(table, docId, accepted.body(), accepted.version()).orElseThrow(() -> missing(tableName, id));
        metrics.written(tableName, "replace", 1);
        return stored;
    }

    public void delete(String tableName, String id) {
        DocTable table = existingTable(tableName);
        if (!store.delete(table, idIn(table, id))) {
            throw missing(tableName, id);
        }
        metrics.written(tableName, "delete", 1);
    }

    /** A page in creation order; an unknown table is simply empty, as in Convex. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Page page(String tableName, int limit, String cursor, boolean ascending) {
        TableName.require(tableName, "table");
        DocTable table = tables.find(tableName).orElse(null);
        if (table == null) {
            if (cursor != null) {
                cursors.decode(cursor, -1, ascending); // refuses it: no cursor can belong to a table that never existed
            }
            return new Page(List.of(), "", true);
        }
        DocumentId after = cursor == null ? null : cursors.decode(cursor, table.number(), ascending);
        List<StoredDocument> rows = store.page(table, after, ascending, limit + 1);
        boolean done = rows.size() <= limit;
        List<StoredDocument> page = done ? rows : rows.subList(0, limit);
        DocumentId last = page.isEmpty() ? after : page.get(page.size() - 1).id();
        return new Page(enforcer.forRead(tableName, page), cursors.encode(table.number(), ascending, last), done);
    }

    private DocTable existingTable(String tableName) {
        TableName.require(tableName, "table");
        return tables.find(tableName).orElseThrow(() -> new NotFound("No table named '" + tableName + "'."));
    }

    /** Parses an id of this table; an id of another table is a document this table does not have. */
    private static DocumentId idIn(DocTable table, String id) {
        DocumentId docId = DocumentId.parse(id, "id");
        if (docId.tableNumber() != table.number()) {
            throw missing(table.name(), id);
        }
        return docId;
    }

    private static NotFound missing(String table, String id) {
        return new NotFound("No document " + id + " in table '" + table + "'.");
    }
}
