package io.docshift.migration;

import io.docshift.document.json.DocumentReader;
import io.docshift.schema.BundledSchema;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.stream.Stream;

/**
 * Registers, at startup, the Java migrations of this build and the declarative files in
 * {@code docshift.migrations.dir} (default: classpath {@code docshift/migrations/*.json}). A file whose
 * migration completed with another definition is reported and skipped, never fatal (F11, F12).
 * Runs before the bundled schema is applied, so a schema can name these migrations.
 */
@ApplicationScoped
public class BundledMigrations {

    private static final Logger LOG = Logger.getLogger(BundledMigrations.class);
    static final String CLASSPATH_DIR = "docshift/migrations";

    @Inject
    MigrationsConfig config;
    @Inject
    MigrationRegistry registry;
    @Inject
    MigrationService migrations;

    void onStart(@Observes @Priority(BundledSchema.PRIORITY - 1) StartupEvent ignored) {
        registry.registerJavaBeans();
        Map<String, byte[]> files;
        try {
            files = config.dir().isPresent() ? fromDirectory(Path.of(config.dir().get())) : fromClasspath();
        } catch (IOException | URISyntaxException e) {
            LOG.errorf("Cannot read bundled migrations: %s", e.getMessage());
            return;
        }
        files.forEach((file, content) -> {
            String name = Path.of(file).getFileName().toString().replaceAll("\\.json$", "");
            try {
                var body = DocumentReader.readDocument(content);
                String declared = body.path("name").asText(name);
                LOG.infof("Bundled migration %s (%s): %s", declared, file, migrations.define(declared, body).name().toLowerCase(Locale.ROOT));
            } catch (RuntimeException e) {
                LOG.errorf("Bundled migration %s was not registered: %s", file, e.getMessage());
            }
        });
    }

    private static Map<String, byte[]> fromDirectory(Path dir) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            LOG.warnf("docshift.migrations.dir %s is not a directory", dir);
            return out;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                out.put(f.toString(), Files.readAllBytes(f));
            }
        }
        return out;
    }

    private static Map<String, byte[]> fromClasspath() throws IOException, URISyntaxException {
        Map<String, byte[]> out = new TreeMap<>();
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        Enumeration<URL> roots = cl.getResources(CLASSPATH_DIR);
        while (roots.hasMoreElements()) {
            URL root = roots.nextElement();
            List<String> names = new ArrayList<>();
            if (root.getProtocol().equals("file")) {
                try (Stream<Path> files = Files.list(Path.of(root.toURI()))) {
                    files.map(p -> p.getFileName().toString()).forEach(names::add);
                }
            } else if (root.getProtocol().equals("jar")) {
                JarURLConnection jar = (JarURLConnection) root.openConnection();
                for (Enumeration<JarEntry> e = jar.getJarFile().entries(); e.hasMoreElements(); ) {
                    String entry = e.nextElement().getName();
                    if (entry.startsWith(CLASSPATH_DIR + "/") && entry.length() > CLASSPATH_DIR.length() + 1) {
                        names.add(entry.substring(CLASSPATH_DIR.length() + 1));
                    }
                }
            }
            for (String n : names) {
                if (n.endsWith(".json") && !n.contains("/")) {
                    try (InputStream in = cl.getResourceAsStream(CLASSPATH_DIR + "/" + n)) {
                        if (in != null) {
                            out.put(CLASSPATH_DIR + "/" + n, in.readAllBytes());
                        }
                    }
                }
            }
        }
        return out;
    }
}
