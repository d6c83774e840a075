package io.docshift.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * A schema file's bytes as they were read once: the plan a person saw is of these bytes, so these bytes are what
 * gets pushed, never whatever the file holds by the time they answer.
 */
record SchemaFile(Path path, byte[] bytes) {

    static SchemaFile read(Path path) {
        try {
            return new SchemaFile(path, Files.readAllBytes(path));
        } catch (IOException e) {
            throw new Failures.UsageFailure("cannot read " + path + ": " + e.getMessage());
        }
    }

    /** JSON or YAML, by the file's name. */
    String contentType() {
        String n = path.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".yaml") || n.endsWith(".yml") ? "application/yaml" : "application/json";
    }

    /** Whether the file no longer holds these bytes (an editor saved it, or it is gone mid-save). */
    boolean changedOnDisk() {
        try {
            return !Arrays.equals(bytes, Files.readAllBytes(path));
        } catch (IOException e) {
            return true;
        }
    }
}
