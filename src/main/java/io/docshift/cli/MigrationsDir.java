package io.docshift.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A directory of declarative migrations, one {@code *.json} each (named by its {@code name}, else by its file),
 * registered with the service before a plan as {@code dev} and {@code deploy} do: a schema names its migrations,
 * and the service plans only with migrations it knows. Registering a definition it has already is a no-op.
 */
final class MigrationsDir {

    private MigrationsDir() {
    }

    /** Registers every migration of {@code dir} (none if it is absent), telling {@code out} each one; returns their names. */
    static List<String> register(Api api, Path dir, Consumer<String> out) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> files;
        try (Stream<Path> listed = Files.list(dir)) {
            files = listed.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        }
        List<String> names = new ArrayList<>();
        for (Path f : files) {
            JsonNode definition = Api.JSON.readTree(f.toFile());
            String name = definition.path("name").asText(f.getFileName().toString().replaceAll("\\.json$", ""));
            if (definition.isObject()) {
                ((ObjectNode) definition).remove("name");
            }
            JsonNode stored = api.put("/api/migrations/" + Api.encode(name), definition);
            out.accept("migration " + name + ": registered (checksum " + Term.abbrev(stored.path("checksum").asText(), 12) + ")");
            names.add(name);
        }
        return names;
    }
}
