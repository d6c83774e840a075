package io.docshift.architecture;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the design promises about the code itself, read from the sources. */
class ArchitectureTest {

    private static final Path MAIN = Path.of("src", "main", "java", "io", "docshift");

    /** Each state machine has one owner: the only class whose SQL writes its table. */
    @Test
    void onlyTheirOwnersWriteTheRunAndTransitionTables() throws IOException {
        Map<String, String> owners = Map.of("migration_run", "migration/store/RunRepository.java", "transition", "transition/TransitionRepository.java");
        for (Map.Entry<String, String> owner : owners.entrySet()) {
            Pattern write = Pattern.compile("(update|insert into|delete from)\\s+(docshift\\.)?" + owner.getKey() + "\\b", Pattern.CASE_INSENSITIVE);
            List<String> writers = sources().filter(f -> write.matcher(read(f)).find()).map(f -> MAIN.relativize(f).toString()).toList();
            assertEquals(List.of(owner.getValue()), writers, "classes that write docshift." + owner.getKey());
        }
    }

    /** Dependencies point one way: documents and schemas know nothing of migrations or transitions. */
    @Test
    void documentsAndSchemasKnowNothingOfMigrationsOrTransitions() throws IOException {
        Pattern upward = Pattern.compile("import (static )?io\\.docshift\\.(migration|transition)\\.");
        for (String lower : List.of("document", "schema", "query", "coordination", "db", "error")) {
            List<String> offenders = sources().filter(f -> MAIN.relativize(f).startsWith(lower))
                    .filter(f -> upward.matcher(read(f)).find()).map(f -> MAIN.relativize(f).toString()).toList();
            assertEquals(List.of(), offenders, lower + " must not import migration or transition");
        }
        List<String> migrationOnTransition = sources().filter(f -> MAIN.relativize(f).startsWith("migration"))
                .filter(f -> read(f).contains("io.docshift.transition.")).map(f -> MAIN.relativize(f).toString()).toList();
        assertEquals(List.of(), migrationOnTransition, "migration must not depend on transition (transition builds on it)");
    }

    /** The command line talks to the service over its REST API only: it uses none of the service's own classes. */
    @Test
    void theCommandLineUsesNoneOfTheServicesClasses() throws IOException {
        Pattern server = Pattern.compile("import (static )?io\\.docshift\\.(?!cli\\.)");
        List<String> offenders = sources().filter(f -> MAIN.relativize(f).startsWith("cli"))
                .filter(f -> server.matcher(read(f)).find() || read(f).contains("io.quarkus") || read(f).contains("jakarta."))
                .map(f -> MAIN.relativize(f).toString()).toList();
        assertEquals(List.of(), offenders);
    }

    /** The run executor is split along its seams, each part small enough to read in one sitting. */
    @Test
    void theRunExecutorsPartsStaySmall() throws IOException {
        for (String part : List.of("RunExecutor", "RunBatch", "Pacing", "CulpritSearch", "BodyCheck")) {
            long lines = Files.readAllLines(MAIN.resolve("migration").resolve(part + ".java")).size();
            assertTrue(lines <= 200, part + " has " + lines + " lines");
        }
    }

    /** Case conversions in parsing and hashing say their locale (a Turkish default breaks "int64".toUpperCase()). */
    @Test
    void everyCaseConversionNamesItsLocale() throws IOException {
        Pattern bare = Pattern.compile("\\.to(Upper|Lower)Case\\(\\)");
        List<String> offenders = sources().filter(f -> bare.matcher(read(f)).find()).map(f -> MAIN.relativize(f).toString()).toList();
        assertEquals(List.of(), offenders);
    }

    private static Stream<Path> sources() throws IOException {
        return Files.walk(MAIN).filter(f -> f.toString().endsWith(".java")).sorted();
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
