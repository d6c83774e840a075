package io.docshift.transfer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.docshift.db.Jdbc;
import io.docshift.document.TableName;
import io.docshift.document.json.DocumentReader;
import io.docshift.document.json.DocumentLimits;
import io.docshift.document.store.DocTable;
import io.docshift.document.store.DocumentId;
import io.docshift.document.store.DocumentIds;
import io.docshift.document.store.TableRegistry;
import io.docshift.error.Conflict;
import io.docshift.error.DocshiftException;
import io.docshift.error.InvalidRequest;
import io.docshift.error.Unprocessable;
import io.docshift.error.Violation;
import io.docshift.schema.ActiveSchema;
import io.docshift.schema.SchemaEnforcer;
import io.docshift.transfer.store.ImportRepository;
import io.docshift.transfer.store.ImportRepository.Import;
import io.docshift.transfer.store.ImportRepository.LineViolation;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Imports documents into one table, all or nothing, in chunks of newline-delimited JSON (the lines of an
 * export): each line is checked on arrival (limits, ids, the active schema), refused lines are recorded with
 * their numbers, and the others are staged. The commit then moves every staged document into the table in one
 * transaction, under the write gate, or, if any line was refused, stores nothing and answers 422 listing them.
 * Memory stays bounded by the chunk, whatever the size of the table.
 */
@ApplicationScoped
public class ImportService {

    private static final Logger LOG = Logger.getLogger(ImportService.class);
    private static final ObjectMapper MAPPER = io.docshift.json.Json.MAPPER;
    /** Open imports older than this are aborted: their client went away. */
    private static final int ABANDONED_AFTER_HOURS = 24;

    @Inject
    ImportRepository imports;
    @Inject
    TableRegistry tables;
    @Inject
    DocumentIds ids;
    @Inject
    ActiveSchema active;
    @Inject
    SchemaEnforcer enforcer;
    @Inject
    DataSource dataSource;

    /** What an import has received so far. */
    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "ImportProgress")
    public record Progress(long importId, String table, String mode, String state, long lines, long violating, long reassigned) {

        static Progress of(Import i) {
            return new Progress(i.id(), i.table(), i.mode(), i.state(), i.lines(), i.violating(), i.reassigned());
        }
    }

    /** What a committed import stored. */
    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "ImportResult")
    public record Committed(long importId, String table, long imported, long replaced, long reassigned) {
    }

    /**
     * Opens an import into {@code table} ({@code append} or {@code replace}). A table that does not exist yet is
     * not created: its number is reserved, {@code tableNumber} when that number is free, so that the imported ids
     * (which embed it) stay the same; the table is created when the import commits, and a refused or aborted
     * import leaves none behind.
     */
    public Progress start(String table, String mode, int tableNumber) {
        TableName.require(table, "/table");
        if (!mode.equals("append") && !mode.equals("replace")) {
            throw InvalidRequest.at("/mode", "append or replace");
        }
        int number = tables.find(table).map(DocTable::number).orElseGet(() -> tables.reserve(table, tableNumber));
        return Progress.of(imports.open(table, number, mode, active.refresh().version()));
    }

    /**
     * Takes a chunk of lines, the first being line {@code firstLine} of the import (numbers name refused lines).
     * Once a line is refused nothing more is staged, but every later line is still checked, so the commit's 422
     * lists them all.
     */
    public Progress chunk(long importId, long firstLine, byte[] body) {
        Import imp = imports.get(importId);
        if (!imp.open()) {
            throw new Conflict("Import " + importId + " is " + imp.state() + "; start a new one.");
        }
        DocTable table = target(imp);
        ActiveSchema.Snapshot schema = active.current();
        List<LineViolation> refused = new ArrayList<>();
        List<Line> parsed = new ArrayList<>();
        long reassigned = 0;
        long number = firstLine;
        int start = 0;
        // a final newline ends the last line; it does not begin another
        for (int i = 0; i <= body.length && start < body.length; i++) {
            if (i == body.length || body[i] == '\n') {
                int end = i > start && body[i - 1] == '\r' ? i - 1 : i;
                if (end > start) {
                    Line line = parse(number, body, start, end, table, refused);
                    if (line != null) {
                        parsed.add(line);
                        reassigned += line.reassigned() ? 1 : 0;
                    }
                }
                number++;
                start = i + 1;
            }
        }
        long lines = number - firstLine;
        List<ImportRepository.Staged> staged = validate(schema, imp, parsed, refused);
        boolean doomed = imp.violating() > 0 || !refused.isEmpty();
        long reassignedNow = reassigned;
        Import after = QuarkusTransaction.requiringNew().call(() -> Jdbc.call(dataSource,
                c -> imports.addChunk(c, importId, lines, doomed ? List.of() : staged, refused, reassignedNow, schema.version())));
        return Progress.of(after);
    }

    /**
     * The table whose number the import's ids embed: created, or still only reserved (reserved again should a
     * released reservation have taken it away). 409 if the table's number is no longer the import's.
     */
    private DocTable target(Import imp) {
        int number = tables.registeredNumber(imp.table()).orElseGet(() -> tables.reserve(imp.table(), imp.tableNumber()));
        requireNumber(imp, number);
        return new DocTable(number, imp.table());
    }

    private static void requireNumber(Import imp, int number) {
        if (imp.tableNumber() != 0 && number != imp.tableNumber()) {
            throw new Conflict("Table '" + imp.table() + "' has number " + number + " while import " + imp.id() + " staged ids that embed "
                    + imp.tableNumber() + "; import again.");
        }
    }

    /** A parsed line: its number, id, creation time and body. */
    private record Line(long number, DocumentId id, ObjectNode body, boolean reassigned) {
    }

    private Line parse(long number, byte[] body, int start, int end, DocTable table, List<LineViolation> refused) {
        if (end - start > DocumentLimits.MAX_DOCUMENT_BYTES + 1024) {
            refused.add(new LineViolation(number, "/", "the document is larger than 1 MiB"));
            return null;
        }
        ObjectNode doc;
        try (JsonParser p = MAPPER.createParser(body, start, end - start)) {
            JsonNode n = MAPPER.readTree(p);
            if (n == null || !n.isObject()) {
                refused.add(new LineViolation(number, "/", "each line must be a JSON object (a document)"));
                return null;
            }
            doc = (ObjectNode) n;
        } catch (JsonProcessingException e) {
            refused.add(new LineViolation(number, "/", "not JSON: " + e.getOriginalMessage()));
            return null;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        JsonNode idNode = doc.remove("_id");
        JsonNode timeNode = doc.remove("_creationTime");
        DocumentId id = idNode == null ? null : DocumentId.tryParse(idNode.asText(null));
        if (idNode != null && id == null) {
            refused.add(new LineViolation(number, "/_id", "not a document id (26 characters of lower-case base32)"));
            return null;
        }
        if (timeNode != null && (!timeNode.canConvertToLong() || timeNode.asLong() < 0 || timeNode.asLong() >= 1L << 48)) {
            refused.add(new LineViolation(number, "/_creationTime", "milliseconds since the epoch, a whole number"));
            return null;
        }
        try {
            // every limit and naming rule of an insert, with its path
            doc = DocumentReader.readDocument(MAPPER.writeValueAsBytes(doc));
        } catch (DocshiftException e) {
            e.violations().forEach(v -> refused.add(new LineViolation(number, v.path(), v.message())));
            return null;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        boolean keep = id != null && id.tableNumber() == table.number();
        long time = id != null ? id.creationTime() : timeNode != null ? timeNode.asLong() : System.currentTimeMillis();
        DocumentId chosen = keep ? id : ids.at(time, table.number());
        return new Line(number, chosen, doc, id != null && !keep);
    }

    /** The lines the active schema accepts, as they are stored; the others are added to {@code refused}. */
    private List<ImportRepository.Staged> validate(ActiveSchema.Snapshot schema, Import imp, List<Line> parsed, List<LineViolation> refused) {
        if (parsed.isEmpty()) {
            return List.of();
        }
        List<String> idTexts = parsed.stream().map(l -> l.id().toString()).toList();
        try {
            List<SchemaEnforcer.Accepted> accepted = enforcer.accept(schema, imp.table(), idTexts, parsed.stream().map(Line::body).toList(), true);
            List<ImportRepository.Staged> out = new ArrayList<>(parsed.size());
            for (int i = 0; i < parsed.size(); i++) {
                Line l = parsed.get(i);
                out.add(new ImportRepository.Staged(l.id().toUuid(), l.number(), l.id().creationTime(), accepted.get(i).version(), accepted.get(i).body()));
            }
            return out;
        } catch (InvalidRequest e) {
            for (Violation v : e.violations()) {
                // a batch's paths start with the document's index
                int slash = v.path().indexOf('/', 1);
                int index = Integer.parseInt(slash < 0 ? v.path().substring(1) : v.path().substring(1, slash));
                refused.add(new LineViolation(parsed.get(index).number(), slash < 0 ? "/" : v.path().substring(slash), v.message()));
            }
            return List.of();
        }
    }

    /**
     * Stores every staged document, or none: 422 listing the refused lines (the import is then aborted), 409
     * when the active schema changed since the import began or an append would overwrite existing documents.
     */
    public Committed commit(long importId) {
        Import imp = imports.get(importId);
        if (!imp.open()) {
            throw new Conflict("Import " + importId + " is " + imp.state() + "; start a new one.");
        }
        if (imp.violating() > 0) {
            List<LineViolation> kept = imports.violations(importId);
            List<Violation> listed = kept.stream().map(v -> new Violation("/" + v.line() + (v.path().equals("/") ? "" : v.path()), v.message())).toList();
            end(imp);
            LineViolation first = kept.get(0);
            throw new Unprocessable(imp.violating() + " line(s) of the import into '" + imp.table() + "' were refused (paths start with the line"
                    + " number; the first " + listed.size() + " are listed); nothing was stored. First: line " + first.line()
                    + (first.path().equals("/") ? "" : " at " + first.path()) + ": " + first.message(), listed, List.of());
        }
        DocTable[] created = new DocTable[1];
        long[] counts = QuarkusTransaction.requiringNew().call(() -> Jdbc.call(dataSource, c -> {
            // a new table appears with the documents, in this transaction: a refused commit leaves none
            DocTable table = tables.create(c, imp.table(), imp.tableNumber());
            requireNumber(imp, table.number());
            created[0] = table;
            ActiveSchema.Snapshot schema = enforcer.enterWrite(imp.table());
            if (schema.version() != imp.schemaVersion() && imp.lines() > 0) {
                throw new Conflict("The active schema changed (version " + imp.schemaVersion() + " to " + schema.version()
                        + ") while the import was under way; its lines were checked against the old one. Import again.");
            }
            if (imp.mode().equals("append")) {
                Map.Entry<Long, List<Violation>> clash = imports.collisions(c, importId, table);
                if (clash.getKey() > 0) {
                    throw new Conflict(clash.getKey() + " imported document(s) have ids that table '" + table.name() + "' already holds;"
                            + " import with mode replace, or without their _id to give them new ones.", clash.getValue());
                }
            }
            return imports.commit(c, imp, table);
        }));
        DocTable table = created[0];
        LOG.infof("Import %d into %s committed: %d documents (%d replaced, %d with new ids)", importId, table.name(), counts[0], counts[1], imp.reassigned());
        return new Committed(importId, table.name(), counts[0], counts[1], imp.reassigned());
    }

    /** An import's progress. */
    public Progress progress(long importId) {
        return Progress.of(imports.get(importId));
    }

    /** Drops an open import and what it staged. */
    public void abort(long importId) {
        Import imp = imports.get(importId);
        if (!end(imp)) {
            throw new Conflict("Import " + importId + " is " + imp.state() + "; only an open import can be aborted.");
        }
    }

    /**
     * Ends an open import aborted, and releases the number it reserved when no other open import wants the
     * table; false if it had ended already.
     */
    private boolean end(Import imp) {
        if (!imports.abort(imp.id())) {
            return false;
        }
        if (!imports.anyOpenInto(imp.table())) {
            tables.release(imp.table());
        }
        return true;
    }

    /** Aborts imports left open for a day by clients that went away, so their staging tables do not pile up. */
    @Scheduled(every = "1h", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void pruneAbandoned() {
        try {
            for (long id : imports.abandoned(ABANDONED_AFTER_HOURS)) {
                if (end(imports.get(id))) {
                    LOG.infof("Aborted import %d, left open for more than %d hours", id, ABANDONED_AFTER_HOURS);
                }
            }
        } catch (RuntimeException e) {
            LOG.warnf("Could not prune abandoned imports: %s", e.getMessage());
        }
    }
}
