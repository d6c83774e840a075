package io.docshift.schema;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.docshift.migration.MigrationParser;
import org.junit.jupiter.api.Test;

import java.util.Locale;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Parsing and hashing do not depend on the JVM's default locale: in a Turkish locale "int64".toUpperCase() is
 * "İNT64", and a pod started with it would refuse valid schemas or hash them differently from its peers.
 */
class LocaleIndependenceTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String SCHEMA = "{\"tables\":{\"users\":{\"document\":{\"name\":{\"type\":\"string\"},\"n\":{\"type\":\"int64\"},"
            + "\"id\":{\"type\":\"id\",\"table\":\"users\"},\"ok\":{\"type\":\"boolean\"},\"tier\":{\"type\":\"literal\",\"value\":\"gold\"},"
            + "\"items\":{\"type\":\"array\",\"items\":{\"type\":\"bytes\"}},\"meta\":{\"type\":\"record\",\"keys\":{\"type\":\"string\"},\"values\":{\"type\":\"any\"}}},"
            + "\"indexes\":[{\"name\":\"by_name\",\"fields\":[\"name\"]}]}}}";
    private static final String MIGRATION = "{\"table\":\"users\",\"steps\":[{\"op\":\"convert\",\"field\":\"n\",\"to\":\"string\"},"
            + "{\"op\":\"convert\",\"field\":\"ok\",\"to\":\"boolean\"},{\"op\":\"split\",\"field\":\"name\",\"separator\":\" \",\"into\":[\"first\",\"last\"]}]}";

    @Test
    void schemasAndMigrationsParseAndHashAlikeInATurkishLocale() throws Exception {
        String rootHash = parse(Locale.ROOT);
        String rootChecksum = checksum(Locale.ROOT);
        String turkishHash = parse(Locale.forLanguageTag("tr-TR"));
        String turkishChecksum = checksum(Locale.forLanguageTag("tr-TR"));
        assertEquals(rootHash, turkishHash, "schema hash");
        assertEquals(rootChecksum, turkishChecksum, "migration checksum");
        assertTrue(withLocale(Locale.forLanguageTag("tr-TR"), () -> SchemaDocuments.isYaml("SCHEMA.YAML") && SchemaDocuments.isYaml("application/x-yaml")));
    }

    private static String parse(Locale locale) throws Exception {
        return withLocale(locale, () -> SchemaParser.parse(MAPPER.readTree(SCHEMA), name -> OptionalInt.of(1)).hash());
    }

    private static String checksum(Locale locale) throws Exception {
        return withLocale(locale, () -> MigrationParser.parse("splitUsers", MAPPER.readTree(MIGRATION)).checksum());
    }

    private interface Work<T> {
        T run() throws Exception;
    }

    private static <T> T withLocale(Locale locale, Work<T> work) throws Exception {
        Locale before = Locale.getDefault();
        Locale.setDefault(locale);
        try {
            return work.run();
        } finally {
            Locale.setDefault(before);
        }
    }
}
