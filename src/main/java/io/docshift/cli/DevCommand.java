package io.docshift.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.TimeUnit;

/**
 * {@code docshift dev}, as {@code npx convex dev}: registers the migrations of a directory, shows the plan of the
 * schema file, asks "Push changes to URL? (Y/n)", pushes, follows the transition it opens, then watches both for
 * changes and does it again.
 */
@Command(name = "dev", mixinStandardHelpOptions = true, description = "Register migrations, plan and push the schema on every change, following transitions.",
        footerHeading = "%nExamples:%n", footer = {"  docshift dev --schema docshift/schema.json --migrations docshift/migrations",
        "  docshift dev --yes --once      # in CI: one round, no questions"})
final class DevCommand extends Action {

    @Option(names = "--schema", paramLabel = "FILE", defaultValue = "docshift/schema.json", description = "The schema file, JSON or YAML (default ${DEFAULT-VALUE}).")
    Path schema;

    @Option(names = "--migrations", paramLabel = "DIR", defaultValue = "docshift/migrations",
            description = "Declarative migrations, one *.json each, registered before every plan (default ${DEFAULT-VALUE}; skipped if absent).")
    Path migrations;

    @Option(names = {"-y", "--yes"}, description = "Push without asking (needed when not run in a terminal).")
    boolean yes;

    @Option(names = "--once", description = "One round, then exit (no watching).")
    boolean once;

    @Override
    boolean changes() {
        return true;
    }

    @Override
    boolean yes() {
        return yes;
    }

    @Override
    int run() throws IOException, InterruptedException {
        if (!yes && !term().terminal()) {
            throw new Failures.UsageFailure("docshift dev asks before it pushes, and this is not a terminal: pass --yes to push without asking");
        }
        if (!Files.exists(schema)) {
            throw new Failures.UsageFailure("no schema file at " + schema + " (--schema FILE)");
        }
        int code = round();
        if (once) {
            return code;
        }
        try (WatchService watcher = FileSystems.getDefault().newWatchService()) {
            watch(watcher, schema.toAbsolutePath().getParent());
            if (Files.isDirectory(migrations)) {
                watch(watcher, migrations.toAbsolutePath());
            }
            term().line("Watching " + schema + (Files.isDirectory(migrations) ? " and " + migrations : "") + " for changes (Ctrl-C to stop).");
            while (true) {
                WatchKey key = watcher.take();
                // let an editor finish writing, then take every event of the burst at once
                Thread.sleep(300);
                do {
                    key.pollEvents();
                    key.reset();
                } while ((key = watcher.poll(50, TimeUnit.MILLISECONDS)) != null);
                term().line("");
                term().line(term().bold("The schema or its migrations were modified."));
                round();
            }
        } catch (ClosedWatchServiceException e) {
            return Failures.DONE;
        }
    }

    private static void watch(WatchService watcher, Path dir) throws IOException {
        dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
    }

    /**
     * Registers, plans, asks, pushes and follows; a refusal is shown and, unless --once, watching goes on. A
     * service that is restarting is waited for, then the round starts over: what it shows is planned afresh.
     */
    private int round() throws IOException, InterruptedException {
        while (true) {
            try {
                return attempt();
            } catch (Api.Unreachable e) {
                if (once) {
                    throw e;
                }
                restarts().await(api(), e);
            }
        }
    }

    private int attempt() throws IOException, InterruptedException {
        try {
            MigrationsDir.register(api(), migrations, term()::line);
            // dev prints for people: --json does not change it
            return new Pushes(api(), term(), new Follow(api(), term(), restarts(), false), false).planAskPush(schema, yes, true);
        } catch (Api.Refused e) {
            term().line(term().red("Refused (" + e.status + "): " + e.getMessage()));
            for (JsonNode v : e.problem.path("violations")) {
                term().line("  " + v.path("path").asText() + ": " + v.path("message").asText());
            }
            if (once) {
                throw e;
            }
            return Failures.REFUSED;
        }
    }
}
