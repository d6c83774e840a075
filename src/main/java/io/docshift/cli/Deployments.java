package io.docshift.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The project file naming a project's deployments, {@code docshift.yaml} or {@code .docshift/deployments.yaml} in
 * the working directory or the nearest parent that has one:
 * <pre>
 * deployments:
 *   dev:     {url: http://localhost:8080}
 *   prod:    {url: https://docshift.example.com, key-env: DOCSHIFT_PROD_KEY, production: true}
 * </pre>
 * Anything else in it is refused: a misspelt {@code production} must not quietly make production unguarded.
 */
final class Deployments {

    static final List<String> FILES = List.of("docshift.yaml", ".docshift/deployments.yaml");
    private static final Set<String> FIELDS = Set.of("url", "key-env", "production");

    /** One named deployment: its address, the environment variable holding its key (may be null), and whether it is production. */
    record Entry(String url, String keyVariable, boolean production) {
    }

    private final Path file;
    private final Map<String, Entry> entries;

    private Deployments(Path file, Map<String, Entry> entries) {
        this.file = file;
        this.entries = entries;
    }

    /** The project file of {@code dir} or its nearest parent that has one. */
    static Deployments find(Path dir) {
        for (Path d = dir.toAbsolutePath(); d != null; d = d.getParent()) {
            List<Path> present = new ArrayList<>();
            for (String f : FILES) {
                if (Files.isRegularFile(d.resolve(f))) {
                    present.add(d.resolve(f));
                }
            }
            if (present.size() > 1) {
                throw new Failures.UsageFailure("both " + present.get(0) + " and " + present.get(1) + " name deployments: keep one");
            }
            if (present.size() == 1) {
                return read(present.get(0));
            }
        }
        throw new Failures.UsageFailure("a deployment is named (--deployment or " + Deployment.NAME_VARIABLE + "), but neither "
                + String.join(" nor ", FILES) + " is in " + dir.toAbsolutePath() + " or a parent directory");
    }

    static Deployments read(Path file) {
        JsonNode root;
        try {
            root = new YAMLMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw invalid(file, e.getMessage());
        }
        if (root == null || !root.path("deployments").isObject() || root.size() != 1) {
            throw invalid(file, "it holds one key, deployments, a map from each deployment's name to its url, key-env and production");
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("deployments").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            entries.put(e.getKey(), entry(file, e.getKey(), e.getValue()));
        }
        return new Deployments(file, entries);
    }

    /** The deployment called {@code name}, or a usage failure listing those there are. */
    Entry named(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new Failures.UsageFailure("no deployment " + name + " in " + file + " (it names " + String.join(", ", entries.keySet()) + ")");
        }
        return e;
    }

    private static Entry entry(Path file, String name, JsonNode d) {
        if (!d.isObject()) {
            throw invalid(file, "deployment " + name + " is not a map of url, key-env and production");
        }
        d.fieldNames().forEachRemaining(f -> {
            if (!FIELDS.contains(f)) {
                throw invalid(file, "deployment " + name + " has " + f + ", which is none of url, key-env, production");
            }
        });
        String url = d.path("url").asText("");
        if (!url.startsWith("http://") && !url.startsWith("https://")) {
            throw invalid(file, "deployment " + name + " needs a url starting with http:// or https://");
        }
        JsonNode production = d.path("production");
        if (!production.isMissingNode() && !production.isBoolean()) {
            throw invalid(file, "deployment " + name + ": production is true or false");
        }
        String keyVariable = d.hasNonNull("key-env") ? d.path("key-env").asText() : null;
        if (keyVariable != null && !keyVariable.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw invalid(file, "deployment " + name + ": key-env names an environment variable (it holds the key; the key itself never goes in this file)");
        }
        return new Entry(url, keyVariable, production.asBoolean(false));
    }

    private static Failures.UsageFailure invalid(Path file, String why) {
        return new Failures.UsageFailure(file + " is not a valid project file: " + why);
    }
}
