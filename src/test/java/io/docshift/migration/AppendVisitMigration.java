package io.docshift.migration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;

/**
 * A test Java migration whose effect shows how often it ran on a document: it appends the run's
 * {@code mark} argument to {@code visits}, and it fails on a document whose {@code poison} is true. With the
 * argument {@code race}, on a document with {@code raceMe} it first writes that document itself through
 * another connection, as a client racing the migration would.
 */
@ApplicationScoped
public class AppendVisitMigration implements JavaMigration {

    public static final String TABLE = "java_migration_target";

    @Override
    public String name() {
        return "appendVisit";
    }

    @Override
    public String table() {
        return TABLE;
    }

    @Override
    public Optional<ObjectNode> migrate(String id, ObjectNode body, JsonNode args) {
        if (body.path("poison").asBoolean(false)) {
            throw new IllegalStateException("poisoned document");
        }
        if (args.path("race").asBoolean(false) && body.path("raceMe").asBoolean(false) && !body.has("client")) {
            try (var c = io.docshift.support.TestDb.connect();
                 var p = c.prepareStatement("update " + io.docshift.support.TestDb.physical(TABLE)
                         + " set data = data || '{\"client\":\"won\"}', revision = nextval('docshift.write_seq') where id = ?")) {
                p.setObject(1, io.docshift.document.store.DocumentId.parse(id, "id").toUuid());
                p.executeUpdate();
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        }
        if (body.path("skip").asBoolean(false)) {
            return Optional.empty();
        }
        body.put("visits", body.path("visits").asText("") + args.path("mark").asText("x"));
        return Optional.of(body);
    }
}
