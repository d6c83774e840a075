package io.docshift.document;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.docshift.document.json.DocumentReader;
import io.docshift.document.store.DocTable;
import io.docshift.document.store.DocumentId;
import io.docshift.document.store.DocumentIds;
import io.docshift.document.store.DocumentStore;
import io.docshift.document.store.IdempotencyStore;
import io.docshift.document.store.StoredDocument;
import io.docshift.document.store.TableRegistry;
import io.docshift.error.NotFound;
import io.docshift.error.PreconditionFailed;
import io.docshift.error.Unprocessable;
import io.docshift.error.Violation;
import io.docshift.ops.DocumentMetrics;
import io.docshift.schema.ActiveSchema;
import io.docshift.schema.SchemaEnforcer;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Convex's {@code ctx.db} over REST: insert, get, patch, replace, delete and paginate. A body is parsed and
 * checked completely before anything is written.
 * <p>
 * A write first takes the fast path: validated against this pod's view of the schema, it is one statement in
 * autocommit that also passes the table's write gate (one round trip; a patch reads first, then writes if the
 * document is unchanged: two). When the gate shows another version than the body was validated against, or
 * the document changed meanwhile, nothing was written and the write takes the slow path: one transaction
 * that enters the gate first, reads under a row lock and writes. No write ever holds two pooled connections.
 */
@ApplicationScoped
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
    @Inject
    IdempotencyStore idempotencyKeys;

    /** What an insert answers: 201, where the new document is, its entity tag and its body; or the first answer, replayed. */
    public record Created(String location, String etag, String body, boolean replayed) {
    }

    /** An Idempotency-Key and the request it came with (its hash), per API key ({@code scope}). */
    public record Idempotency(String scope, String key, String requestHash) {
    }

    public Created insert(String tableName, byte[] body, Idempotency idempotency) {
        TableName.require(tableName, "table");
        ObjectNode doc = DocumentReader.readDocument(body);
        refuseReusedKey(idempotency);
        DocTable table = tables.getOrCreate(tableName); // on a connection of its own, before any gate
        DocumentId id = ids.next(table.number());
        if (idempotency == null) {
            ActiveSchema.Snapshot schema = enforcer.current();
            SchemaEnforcer.Accepted accepted = enforcer.accept(schema, tableName, List.of(id.toString()), List.of(doc), false).get(0);
            Optional<StoredDocument> stored = store.insert(table, id, accepted.body(), accepted.version(), enforcer.gateCheck(tableName, schema));
            if (stored.isPresent()) {
                metrics.written(tableName, "insert", 1);
                return created(tableName, id, stored.get());
            }
        }
        return once(idempotency, () -> {
            ActiveSchema.Snapshot schema = enforcer.enterWrite(tableName);
            SchemaEnforcer.Accepted accepted = enforcer.accept(schema, tableName, List.of(id.toString()), List.of(doc), false).get(0);
            StoredDocument stored = store.insert(table, id, accepted.body(), accepted.version());
            metrics.written(tableName, "insert", 1);
            return created(tableName, id, stored);
        });
    }

    /**
     * The slow path of an insert: one transaction that answers a retried request with its first answer, or
     * writes and remembers the answer under the request's key.
     */
    private Created once(Idempotency idempotency, Supplier<Created> write) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Optional<Created> replay = replay(idempotency);
            if (replay.isPresent()) {
                return replay.get();
            }
            Created created = write.get();
            remember(idempotency, created);
            return created;
        });
    }

    private static Created created(String tableName, DocumentId id, StoredDocument stored) {
        return new Created("/api/tables/" + tableName + "/documents/" + id, stored.etag(), stored.toJson(), false);
    }

    /** Inserts every document or none; returns {@code {"ids": [...]}} in input order. */
    public Created insertBatch(String tableName, byte[] body, Idempotency idempotency) {
        TableName.require(tableName, "table");
        List<ObjectNode> docs = DocumentReader.readBatch(body);
        refuseReusedKey(idempotency);
        DocTable table = tables.getOrCreate(tableName);
        List<DocumentId> newIds = new ArrayList<>(docs.size());
        for (int i = 0; i < docs.size(); i++) {
            newIds.add(ids.next(table.number()));
        }
        List<String> idTexts = newIds.stream().map(DocumentId::toString).toList();
        if (idempotency == null) {
            ActiveSchema.Snapshot schema = enforcer.current();
            List<SchemaEnforcer.Accepted> accepted = enforcer.accept(schema, tableName, idTexts, docs, true);
            if (store.insertAll(table, newIds, accepted.stream().map(SchemaEnforcer.Accepted::body).toList(),
                    accepted.stream().map(SchemaEnforcer.Accepted::version).toList(), enforcer.gateCheck(tableName, schema))) {
                metrics.written(tableName, "insert", docs.size());
                return idsOf(newIds);
            }
        }
        return once(idempotency, () -> {
            ActiveSchema.Snapshot schema = enforcer.enterWrite(tableName);
            List<SchemaEnforcer.Accepted> accepted = enforcer.accept(schema, tableName, idTexts, docs, true);
            store.insertAll(table, newIds, accepted.stream().map(SchemaEnforcer.Accepted::body).toList(),
                    accepted.stream().map(SchemaEnforcer.Accepted::version).toList());
            metrics.written(tableName, "insert", docs.size());
            return idsOf(newIds);
        });
    }

    /** {@code {"ids": [...]}} in input order. */
    private static Created idsOf(List<DocumentId> newIds) {
        StringBuilder out = new StringBuilder(newIds.size() * 29 + 16).append("{\"ids\":[");
        for (int i = 0; i < newIds.size(); i++) {
            out.append(i == 0 ? "\"" : ",\"").append(newIds.get(i)).append('"');
        }
        return new Created(null, null, out.append("]}").toString(), false);
    }

    /** The first answer of a retried request with the same Idempotency-Key; 422 when the key came with another request. */
    private Optional<Created> replay(Idempotency idempotency) {
        if (idempotency == null) {
            return Optional.empty();
        }
        return idempotencyKeys.claim(idempotency.scope(), idempotency.key(), idempotency.requestHash()).map(prior -> {
            if (!prior.requestHash().equals(idempotency.requestHash())) {
                throw reusedKey(idempotency);
            }
            return new Created(prior.location(), prior.etag(), prior.body(), true);
        });
    }

    /** A key already used with another request is refused before anything is written, the table included. */
    private void refuseReusedKey(Idempotency idempotency) {
        if (idempotency != null && idempotencyKeys.claimedWith(idempotency.scope(), idempotency.key())
                .filter(hash -> !hash.equals(idempotency.requestHash())).isPresent()) {
            throw reusedKey(idempotency);
        }
    }

    private static Unprocessable reusedKey(Idempotency idempotency) {
        return new Unprocessable("Idempotency-Key '" + idempotency.key() + "' was used with another request; use a new key for a new request.",
                List.of(new Violation("Idempotency-Key", "already used with a different request")), List.of());
    }

    private void remember(Idempotency idempotency, Created created) {
        if (idempotency != null) {
            idempotencyKeys.record(idempotency.scope(), idempotency.key(), 201, created.location(), created.etag(), created.body());
        }
    }

    public StoredDocument get(String tableName, String id) {
        DocTable table = existingTable(tableName);
        StoredDocument doc = store.find(table, idIn(table, id)).orElseThrow(() -> missing(tableName, id));
        return enforcer.forRead(tableName, List.of(doc)).get(0);
    }

    /**
     * Applies a JSON Merge Patch under a row lock. During and after a transition the patch applies to the
     * document as clients read it (new shape); a patch written for the old shape still works. With
     * {@code ifMatch}, a document whose revision it does not name is left alone (412).
     */
    public StoredDocument patch(String tableName, String id, byte[] body, Preconditions ifMatch) {
        DocTable table = existingTable(tableName);
        DocumentId docId = idIn(table, id);
        ObjectNode patch = DocumentReader.readPatch(body);
        ActiveSchema.Snapshot seen = enforcer.current();
        StoredDocument read = store.find(table, docId).orElseThrow(() -> missing(tableName, id));
        require(ifMatch, read, seen, tableName);
        SchemaEnforcer.Accepted quick = enforcer.acceptPatch(seen, tableName, read, patch);
        Optional<StoredDocument> written = store.replace(table, docId, quick.body(), quick.version(), read.revision(), enforcer.gateCheck(tableName, seen));
        if (written.isPresent()) {
            metrics.written(tableName, "patch", 1);
            return written.get();
        }
        return QuarkusTransaction.requiringNew().call(() -> {
            ActiveSchema.Snapshot schema = enforcer.enterWrite(tableName);
            StoredDocument current = store.findForUpdate(table, docId).orElseThrow(() -> missing(tableName, id));
            require(ifMatch, current, schema, tableName);
            SchemaEnforcer.Accepted accepted = enforcer.acceptPatch(schema, tableName, current, patch);
            StoredDocument stored = store.replace(table, docId, accepted.body(), accepted.version(), null).orElseThrow();
            metrics.written(tableName, "patch", 1);
            return stored;
        });
    }

    /** Replaces the body; {@code _id} and {@code _creationTime} stay. With {@code ifMatch}, as for a patch. */
    public StoredDocument replace(String tableName, String id, byte[] body, Preconditions ifMatch) {
        DocTable table = existingTable(tableName);
        DocumentId docId = idIn(table, id);
        ObjectNode doc = DocumentReader.readDocument(body);
        ActiveSchema.Snapshot seen = enforcer.current();
        Long revision = null;
        if (ifMatch != null) {
            StoredDocument read = store.find(table, docId).orElseThrow(() -> missing(tableName, id));
            require(ifMatch, read, seen, tableName);
            revision = read.revision();
        }
        SchemaEnforcer.Accepted quick = enforcer.accept(seen, tableName, List.of(id), List.of(doc), false).get(0);
        Optional<StoredDocument> written = store.replace(table, docId, quick.body(), quick.version(), revision, enforcer.gateCheck(tableName, seen));
        if (written.isPresent()) {
            metrics.written(tableName, "replace", 1);
            return written.get();
        }
        return QuarkusTransaction.requiringNew().call(() -> {
            ActiveSchema.Snapshot schema = enforcer.enterWrite(tableName);
            if (ifMatch != null) {
                require(ifMatch, store.findForUpdate(table, docId).orElseThrow(() -> missing(tableName, id)), schema, tableName);
            }
            SchemaEnforcer.Accepted accepted = enforcer.accept(schema, tableName, List.of(id), List.of(doc), false).get(0);
            StoredDocument stored = store.replace(table, docId, accepted.body(), accepted.version(), null).orElseThrow(() -> missing(tableName, id));
            metrics.written(tableName, "replace", 1);
            return stored;
        });
    }

    /** Deletes a document; with {@code ifMatch}, only while it has a revision it names (412 otherwise). */
    public void delete(String tableName, String id, Preconditions ifMatch) {
        DocTable table = existingTable(tableName);
        DocumentId docId = idIn(table, id);
        if (ifMatch == null) {
            if (!store.delete(table, docId, null)) {
                throw missing(tableName, id);
            }
        } else {
            // the revision read is the one deleted: a write in between makes the delete miss, and it is read again
            boolean deleted = false;
            while (!deleted) {
                StoredDocument read = store.find(table, docId).orElseThrow(() -> missing(tableName, id));
                require(ifMatch, read, enforcer.current(), tableName);
                deleted = store.delete(table, docId, read.revision());
            }
        }
        metrics.written(tableName, "delete", 1);
    }

    /** 412 naming the current entity tag when {@code ifMatch} does not name the stored revision. */
    private void require(Preconditions ifMatch, StoredDocument current, ActiveSchema.Snapshot schema, String tableName) {
        if (ifMatch != null && !ifMatch.matchesRevision(current.revision())) {
            throw new PreconditionFailed("Document " + current.id() + " has changed since that version (If-Match does not match its revision "
                    + current.revision() + "); read it again and retry. Nothing was written.",
                    enforcer.forRead(schema, tableName, List.of(current)).get(0).etag());
        }
    }

    /** A page in creation order; an unknown table is simply empty, as in Convex. */
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
