package io.docshift.ops;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The packaged app never starts a PostgreSQL of its own: without a URL it stops at once, saying what to set. */
class NoDatabaseUrlIT {

    @Test
    void withoutADatasourceUrlTheAppStopsWithOneLineNamingTheVariable() throws Exception {
        Path log = Path.of("target", "it-logs", "no-database-url.log");
        Files.createDirectories(log.getParent());
        ProcessBuilder b = new ProcessBuilder(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx128m",
                "-Dquarkus.http.port=0", "-jar", Path.of("target", "quarkus-app", "quarkus-run.jar").toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        b.environment().remove("QUARKUS_DATASOURCE_JDBC_URL");
        Process p = b.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the app stopped by itself");
        assertNotEquals(0, p.exitValue());
        List<String> lines = Files.readAllLines(log).stream().filter(l -> l.contains("QUARKUS_DATASOURCE_JDBC_URL")).toList();
        assertEquals(1, lines.size(), "one line says what to set: " + Files.readString(log));
        assertTrue(lines.get(0).startsWith("No database configured: set QUARKUS_DATASOURCE_JDBC_URL"), lines.get(0));
        assertTrue(Files.readString(log).lines().noneMatch(l -> l.startsWith("\tat ")), "no stack trace");
    }
}
