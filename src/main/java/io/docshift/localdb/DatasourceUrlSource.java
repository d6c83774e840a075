package io.docshift.localdb;

import io.quarkus.runtime.ExecutionMode;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Where the datasource URL comes from when none is configured. Dev mode starts a {@link LocalPostgres} whose data
 * stays between restarts (in {@code docshift.dev.postgres-dir}); the prod profile refuses to start, naming the
 * variable to set. A configured URL always wins; the tests choose their database themselves (TestDatabase).
 */
public final class DatasourceUrlSource implements ConfigSourceFactory {

    static final String URL = "quarkus.datasource.jdbc.url";
    static final String MISSING = "No database configured: set QUARKUS_DATASOURCE_JDBC_URL to the JDBC URL of your PostgreSQL"
            + " (e.g. jdbc:postgresql://db.example.com:5432/docshift), with QUARKUS_DATASOURCE_USERNAME and QUARKUS_DATASOURCE_PASSWORD";
    private static final Logger LOG = Logger.getLogger(DatasourceUrlSource.class);

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        ConfigValue url = context.getValue(URL);
        if (url != null && url.getValue() != null && !url.getValue().isBlank()) {
            return List.of();
        }
        List<String> profiles = context.getProfiles();
        if (profiles.contains("dev")) {
            return List.of(new PropertiesConfigSource(Map.of(URL, devServer(context)), "docshift local PostgreSQL", 100));
        }
        if (!profiles.contains("test") && ExecutionMode.current() == ExecutionMode.RUNTIME_INIT) {
            throw new ConfigurationException(MISSING);
        }
        return List.of();
    }

    private static String devServer(ConfigSourceContext context) {
        ConfigValue configured = context.getValue("docshift.dev.postgres-dir");
        Path dir = Path.of(configured != null && configured.getValue() != null ? configured.getValue() : ".docshift/dev-postgres").toAbsolutePath();
        try {
            LocalPostgres server = LocalPostgres.start(dir, Map.of());
            StopOnExit.register(server);
            String url = server.jdbcUrl("postgres");
            LOG.infof("No datasource URL configured: dev mode uses a local PostgreSQL at %s (data in %s; set QUARKUS_DATASOURCE_JDBC_URL to use another)",
                    url, dir);
            return url;
        } catch (Exception e) {
            throw new IllegalStateException("Could not start the local PostgreSQL in " + dir + ": " + e.getMessage()
                    + " (or set QUARKUS_DATASOURCE_JDBC_URL to a PostgreSQL of your own)", e);
        }
    }

    /** Stops the dev server when the dev-mode JVM ends, once however often the app restarts. */
    static final class StopOnExit {
        private static final String KEY = "docshift.dev.postgres-stop-registered";

        static synchronized void register(LocalPostgres server) {
            if (System.getProperty(KEY) != null) {
                return;
            }
            System.setProperty(KEY, "true");
            ProcessBuilder stop = server.stopCommand();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    stop.start().waitFor();
                } catch (Exception ignored) {
                    // the JVM is ending; a server left running is joined at the next start
                }
            }, "docshift-dev-postgres-stop"));
        }
    }
}
