package io.docshift.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * {@code docshift export}: every document of some tables (all by default) and the active schema, from one
 * consistent snapshot, into a zip ({@code manifest.json}, {@code schema.json}, {@code tables/<t>.jsonl}) or a
 * directory of the same files. Streams: memory stays flat whatever the size of the tables.
 */
@Command(name = "export", mixinStandardHelpOptions = true, description = "Export documents and the active schema from one snapshot (the seed's \"Back up data\").",
        footerHeading = "%nExamples:%n", footer = {"  docshift export --out backup.zip", "  docshift export --table customers --table projects --out backup/"})
final class ExportCommand extends Action {

    private static final String DOCUMENT_PREFIX = "{\"kind\":\"document\",\"table\":\"";

    @Option(names = "--table", paramLabel = "T", description = "A table to export (repeat for more; default: every table).")
    List<String> tables = new ArrayList<>();

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "A .zip file, or a directory.")
    Path out;

    @Override
    int run() throws IOException {
        StringBuilder query = new StringBuilder("/api/export");
        for (int i = 0; i < tables.size(); i++) {
            query.append(i == 0 ? "?" : "&").append("table=").append(Api.encode(tables.get(i)));
        }
        Sink sink = out.toString().endsWith(".zip") ? new ZipSink(out) : new DirectorySink(out);
        long documents = 0;
        boolean complete = false;
        String current = null;
        try (InputStream in = api().stream(query.toString());
             BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16)) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.startsWith(DOCUMENT_PREFIX)) {
                    int end = line.indexOf('"', DOCUMENT_PREFIX.length());
                    String table = line.substring(DOCUMENT_PREFIX.length(), end);
                    if (!table.equals(current)) {
                        sink.table(table);
                        current = table;
                    }
                    // {"kind":"document","table":"t","document":{...}} -> {...}
                    sink.write(line.substring(end + "\",\"document\":".length(), line.length() - 1));
                    if (++documents % 10_000 == 0 && !json()) {
                        term().progress("exported", documents, 0, -1, current);
                    }
                    continue;
                }
                JsonNode n = Api.JSON.readTree(line);
                switch (n.path("kind").asText()) {
                    case "header" -> sink.header(n);
                    case "table" -> {
                        if (!n.path("name").asText().equals(current)) {
                            current = n.path("name").asText();
                            sink.table(current); // an empty table still has its file
                        }
                    }
                    case "end" -> complete = true;
                    default -> {
                    }
                }
            }
        } catch (Api.Refused | Api.Unreachable e) {
            sink.discard();
            throw e;
        }
        if (!complete) {
            sink.discard();
            term().line("docshift: the export stream was cut short; nothing was kept");
            return Failures.FAILED;
        }
        sink.close();
        if (json()) {
            print(Api.JSON.createObjectNode().put("out", out.toString()).put("documents", documents));
        } else {
            term().line("exported " + Term.count(documents, "document") + " to " + out);
        }
        return Failures.DONE;
    }

    /** Where an export goes. */
    private abstract static class Sink {
        abstract void entry(String name) throws IOException;

        abstract OutputStream stream();

        abstract void finish() throws IOException;

        abstract void discard() throws IOException;

        private boolean open;

        void header(JsonNode h) throws IOException {
            ObjectNode manifest = Api.JSON.createObjectNode().put("format", h.path("format").asInt()).put("exportedAt", h.path("exportedAt").asText());
            manifest.set("schemaVersion", h.path("schema").path("version"));
            manifest.set("tables", h.path("tables"));
            manifest.set("migrations", h.path("migrations"));
            entry("manifest.json");
            stream().write(manifest.toPrettyString().getBytes(StandardCharsets.UTF_8));
            if (h.path("schema").isObject()) {
                entry("schema.json");
                stream().write(h.path("schema").path("schema").toPrettyString().getBytes(StandardCharsets.UTF_8));
            }
            open = true;
        }

        void table(String name) throws IOException {
            entry("tables/" + name + ".jsonl");
        }

        void write(String document) throws IOException {
            OutputStream s = stream();
            s.write(document.getBytes(StandardCharsets.UTF_8));
            s.write('\n');
        }

        void close() throws IOException {
            if (open) {
                finish();
            }
        }
    }

    private static final class ZipSink extends Sink {
        private final Path file;
        private final Path partial;
        private final ZipOutputStream zip;

        ZipSink(Path file) throws IOException {
            this.file = file;
            this.partial = file.resolveSibling(file.getFileName() + ".partial");
            this.zip = new ZipOutputStream(Files.newOutputStream(partial));
        }

        @Override
        void entry(String name) throws IOException {
            zip.putNextEntry(new ZipEntry(name));
        }

        @Override
        OutputStream stream() {
            return zip;
        }

        @Override
        void finish() throws IOException {
            zip.close();
            Files.move(partial, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }

        @Override
        void discard() throws IOException {
            zip.close();
            Files.deleteIfExists(partial);
        }
    }

    private static final class DirectorySink extends Sink {
        private final Path dir;
        private OutputStream current;

        DirectorySink(Path dir) throws IOException {
            this.dir = dir;
            Files.createDirectories(dir.resolve("tables"));
        }

        @Override
        void entry(String name) throws IOException {
            if (current != null) {
                current.close();
            }
            current = new java.io.BufferedOutputStream(Files.newOutputStream(dir.resolve(name)), 1 << 16);
        }

        @Override
        OutputStream stream() {
            return current;
        }

        @Override
        void finish() throws IOException {
            if (current != null) {
                current.close();
            }
        }

        @Override
        void discard() throws IOException {
            finish();
        }
    }
}
