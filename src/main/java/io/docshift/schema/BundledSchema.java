package io.docshift.schema;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Applies the schema file bundled with this deployment at startup. Exactly one of N pods starting together
 * applies it (the push lock, then the content check); a pod whose file is older than the active version
 * serves the active version. A file that cannot be applied is logged and the pod keeps serving the active
 * version: a bad file must not crash-loop the deployment (F11).
 */
@ApplicationScoped
public class BundledSchema {

    private static final Logger LOG = Logger.getLogger(BundledSchema.class);
    static final String CLASSPATH_DEFAULT = "docshift/schema.json";
    /** Startup order: bundled migrations register first, so a schema can name them. */
    public static final int PRIORITY = 2000;

    @Inject
    SchemaConfig config;
    @Inject
    SchemaService schemas;

    void onStart(@Observes @Priority(PRIORITY) StartupEvent ignored) {
        byte[] content;
        String name;
        try {
            if (config.file().isPresent()) {
                name = config.file().get();
                content = Files.readAllBytes(Path.of(name));
            } else {
                name = "classpath:" + CLASSPATH_DEFAULT;
                try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(CLASSPATH_DEFAULT)) {
                    if (in == null) {
                        return;
                    }
                    content = in.readAllBytes();
                }
            }
        } catch (IOException e) {
            LOG.errorf("Cannot read the bundled schema %s: %s; serving the active version", config.file().orElse(CLASSPATH_DEFAULT), e.getMessage());
            return;
        }
        try {
            schemas.pushBundled(SchemaDocuments.read(content, SchemaDocuments.isYaml(name)))
                    .ifPresent(r -> LOG.infof(r.transition() != null ? "Bundled schema %s is version %d, reached by schema transition " + r.transition().id()
                                    + " (" + r.transition().state() + ")"
                                    : r.created() ? "Applied bundled schema %s as version %d" : "Bundled schema %s is already active (version %d)",
                            name, r.version()));
        } catch (RuntimeException e) {
            LOG.errorf("The bundled schema %s was not applied: %s; serving the active version", name, e.getMessage());
        }
    }
}
