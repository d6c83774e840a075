package io.docshift.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * {@code docshift import}: documents back in, from an export (a zip or directory) or from one JSON-lines file,
 * each table all or nothing. Lines stream to the service in chunks, so memory stays flat; the service checks
 * each line against the active schema and refuses the table, naming every bad line, if any is wrong.
 */
@Command(name = "import", mixinStandardHelpOptions = true, description = "Import documents: an export (zip or directory), or a .jsonl file into --table.",
        footerHeading = "%nExamples:%n", footer = {"  docshift import backup.zip --schema           # push the exported schema, then every table",
        "  docshift import customers.jsonl --table customers --replace", "  docshift import backup/ --table projects"})
final class ImportCommand extends Action {

    private static final int CHUNK_LINES = 5_000;
    private static final int CHUNK_BYTES = 4 << 20;

    @Parameters(paramLabel = "FILE", description = "An export (.zip or its directory), or a .jsonl / .ndjson file of one table.")
    Path file;

    @Option(names = "--table", paramLabel = "T", description = "The table of a .jsonl file; with an export, only these tables (repeat for more).")
    List<String> tables = new ArrayList<>();

    @ArgGroup(exclusive = true)
    Mode mode = new Mode();

    static final class Mode {
        @Option(names = "--append", description = "Add to the documents the table has (the default); a document whose _id it has already refuses the import.")
        boolean append;

        @Option(names = "--replace", description = "Replace every document of the table.")
        boolean replace;
    }

    @Option(names = "--schema", description = "With an export: register the migrations it names and push its schema.json first (a restore).")
    boolean schema;

    @Option(names = {"-y", "--yes"}, description = "Go on with a deployment marked production where no terminal is to type its name in.")
    boolean yes;

    /** Each exported table's number: its ids embed it, so a new table is created with it. */
    private final Map<String, Integer> numbers = new HashMap<>();
    /** The definitions of the migrations the exported schema names. */
    private JsonNode migrations = Api.JSON.createArrayNode();
    /** Imports opened before the schema push, so their tables exist with their exported numbers when it creates the rest. */
    private final Map<String, Long> opened = new HashMap<>();

    @Override
    boolean changes() {
        return true;
    }

    @Override
    boolean yes() {
        return yes;
    }

    @Override
    int run() throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
            if (tables.size() != 1) {
                throw new Failures.UsageFailure("a .jsonl file holds one table: name it with --table");
            }
            try (InputStream in = Files.newInputStream(file)) {
                importTable(tables.get(0), in);
            }
            return Failures.DONE;
        }
        if (Files.isDirectory(file)) {
            readManifest(Files.readAllBytes(file.resolve("manifest.json")));
            if (schema && Files.exists(file.resolve("schema.json"))) {
                pushSchema(Files.readAllBytes(file.resolve("schema.json")));
            }
            try (var listed = Files.list(file.resolve("tables"))) {
                for (Path f : listed.sorted().toList()) {
                    String table = f.getFileName().toString().replaceAll("\\.jsonl$", "");
                    if (tables.isEmpty() || tables.contains(table)) {
                        try (InputStream in = Files.newInputStream(f)) {
                            importTable(table, in);
                        }
                    }
                }
            }
            commitEmpty();
            return Failures.DONE;
        }
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(file))) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                if (e.getName().equals("manifest.json")) {
                    readManifest(zip.readAllBytes());
                } else if (e.getName().equals("schema.json") && schema) {
                    pushSchema(zip.readAllBytes());
                } else if (e.getName().startsWith("tables/") && e.getName().endsWith(".jsonl")) {
                    String table = e.getName().substring("tables/".length(), e.getName().length() - ".jsonl".length());
                    if (tables.isEmpty() || tables.contains(table)) {
                        importTable(table, zip);
                    }
                }
            }
        }
        commitEmpty();
        return Failures.DONE;
    }

    /** Tables opened before the schema push that the export holds no lines for: restored empty. */
    private void commitEmpty() throws IOException {
        for (String table : List.copyOf(opened.keySet())) {
            importTable(table, InputStream.nullInputStream());
        }
    }

    private void readManifest(byte[] json) throws IOException {
        JsonNode manifest = Api.JSON.readTree(json);
        for (JsonNode t : manifest.path("tables")) {
            numbers.put(t.path("name").asText(), t.path("number").asInt());
        }
        migrations = manifest.path("migrations");
    }

    /**
     * A restore's schema: the migrations it names are registered first (a fresh database knows none of them), and
     * an import is opened for every exported table before the push, so that each table is created with the number
     * its ids embed rather than the next free one the push would give it.
     */
    private void pushSchema(byte[] schemaJson) {
        for (JsonNode m : migrations) {
            if (m.path("kind").asText().equals("java")) {
                continue; // a Java migration comes with the build, not with the data
            }
            api().put("/api/migrations/" + m.path("name").asText(), m.path("definition"));
            if (!json()) {
                term().line("migration " + m.path("name").asText() + ": registered");
            }
        }
        try {
            numbers.keySet().stream().sorted().filter(t -> tables.isEmpty() || tables.contains(t)).forEach(t -> opened.put(t, open(t)));
            JsonNode pushed = api().send("PUT", "/api/schema", "application/json", schemaJson);
            if (!json()) {
                term().line("schema: version " + pushed.path("version").asInt() + " is active");
            }
        } catch (RuntimeException e) {
            opened.values().forEach(this::abortQuietly);
            throw e;
        }
    }

    private long open(String table) {
        return api().post("/api/imports", Api.JSON.createObjectNode().put("table", table)
                .put("mode", mode.replace ? "replace" : "append").put("tableNumber", numbers.getOrDefault(table, 0))).path("importId").asLong();
    }

    /** One table, all or nothing: open an import, send the lines in chunks, commit. */
    private void importTable(String table, InputStream in) throws IOException {
        Long early = opened.remove(table);
        long id = early != null ? early : open(table);
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
            ByteArrayOutputStream chunk = new ByteArrayOutputStream(CHUNK_BYTES + (1 << 20));
            long first = 1;
            long sent = 0;
            int inChunk = 0;
            String line;
            while ((line = lines.readLine()) != null) {
                chunk.write(line.getBytes(StandardCharsets.UTF_8));
                chunk.write('\n');
                inChunk++;
                if (inChunk == CHUNK_LINES || chunk.size() >= CHUNK_BYTES) {
                    send(id, first, chunk);
                    sent += inChunk;
                    first += inChunk;
                    inChunk = 0;
                    if (!json()) {
                        term().progress("importing " + table, sent, 0, -1, null);
                    }
                }
            }
            if (inChunk > 0) {
                send(id, first, chunk);
            }
            JsonNode done = api().post("/api/imports/" + id + "/commit", "");
            if (json()) {
                print(done);
            } else {
                term().line(term().green("imported " + Term.count(done.path("imported").asLong(), "document") + " into " + table)
                        + (done.path("replaced").asLong() > 0 ? ", replacing " + Term.number(done.path("replaced").asLong()) : "")
                        + (done.path("reassigned").asLong() > 0 ? ", " + Term.count(done.path("reassigned").asLong(), "with a new id", "with new ids") : ""));
            }
        } catch (Api.Refused | Api.Unreachable | IOException e) {
            abortQuietly(id);
            throw e;
        }
    }

    private void send(long id, long first, ByteArrayOutputStream chunk) {
        api().send("POST", "/api/imports/" + id + "/lines?first=" + first, "application/x-ndjson", chunk.toByteArray());
        chunk.reset();
    }

    private void abortQuietly(long id) {
        try {
            api().delete("/api/imports/" + id);
        } catch (RuntimeException ignored) {
            // committed refusals abort themselves; an unreachable service aborts it after a day
        }
    }
}
