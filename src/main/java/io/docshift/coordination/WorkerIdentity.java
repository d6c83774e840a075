package io.docshift.coordination;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Optional;
import java.util.UUID;

/**
 * This process's name in migration runs and the log: {@code docshift.worker-id}, else the {@code HOSTNAME}
 * environment variable (the pod name in Kubernetes), suffixed with a short random part so that a
 * restarted pod of the same name is told apart from its previous life.
 */
@ApplicationScoped
public class WorkerIdentity {

    private final String id;

    WorkerIdentity(@ConfigProperty(name = "docshift.worker-id") Optional<String> configured) {
        String base = configured.filter(s -> !s.isBlank())
                .or(() -> Optional.ofNullable(System.getenv("HOSTNAME")).filter(s -> !s.isBlank()))
                .orElse("docshift");
        this.id = base + "-" + UUID.randomUUID().toString().substring(0, 6);
    }

    public String id() {
        return id;
    }
}
