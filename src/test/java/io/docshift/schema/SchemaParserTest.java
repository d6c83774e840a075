package io.docshift.schema;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.docshift.error.InvalidRequest;
import io.docshift.error.Violation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.OptionalInt;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Schema documents: every index rule and every mistake, each naming its place in the schema document. */
class SchemaParserTest {

    static final ObjectMapper MAPPER = new ObjectMapper();

    static Schema parse(String json) {
        try {
            return SchemaParser.parse(MAPPER.readTree(json), n -> OptionalInt.empty());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static String withIndexes(String indexes) {
        return "{\"tables\":{\"projects\":{\"document\":{\"a\":{\"type\":\"string\"}},\"indexes\":" + indexes + "}}}";
    }

    static String fields(int n) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append("\"f").append(i).append('"');
        }
        return b.append(']').toString();
    }

    static String indexes(int n) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append("{\"name\":\"ix").append(i).append("\",\"fields\":[\"a\"]}");
        }
        return b.append(']').toString();
    }

    static Stream<Arguments> invalidSchemas() {
        return Stream.of(
                Arguments.of("not an object", "[]", "/"),
                Arguments.of("no tables", "{}", "/tables"),
                Arguments.of("unknown top-level key", "{\"tables\":{},\"extra\":1}", "/extra"),
                Arguments.of("bad table name", "{\"tables\":{\"1abc\":{\"document\":{}}}}", "/tables/1abc"),
                Arguments.of("no document", "{\"tables\":{\"t\":{}}}", "/tables/t/document"),
                Arguments.of("unknown type", "{\"tables\":{\"t\":{\"document\":{\"a\":{\"type\":\"text\"}}}}}", "/tables/t/document/a/type"),
                Arguments.of("unknown key in a validator", "{\"tables\":{\"t\":{\"document\":{\"a\":{\"type\":\"string\",\"max\":3}}}}}", "/tables/t/document/a/max"),
                Arguments.of("reserved field name", "{\"tables\":{\"t\":{\"document\":{\"_id\":{\"type\":\"string\"}}}}}", "/tables/t/document/_id"),
                Arguments.of("id of an unknown table", "{\"tables\":{\"t\":{\"document\":{\"a\":{\"type\":\"id\",\"table\":\"ghosts\"}}}}}", "/tables/t/document/a/table"),
                Arguments.of("empty union", "{\"tables\":{\"t\":{\"document\":{\"a\":{\"type\":\"union\",\"members\":[]}}}}}", "/tables/t/document/a/members"),
                Arguments.of("literal object", "{\"tables\":{\"t\":{\"document\":{\"a\":{\"type\":\"literal\",\"value\":{}}}}}}", "/tables/t/document/a/value"),
                Arguments.of("non-object document", "{\"tables\":{\"t\":{\"document\":{\"type\":\"string\"}}}}", "/tables/t/document"),
                Arguments.of("numeric record keys", "{\"tables\":{\"t\":{\"document\":{\"a\":{\"type\":\"record\",\"keys\":{\"type\":\"number\"},\"values\":{\"type\":\"any\"}}}}}}", "/tables/t/document/a/keys"),
                Arguments.of("optional not boolean", "{\"tables\":{\"t\":{\"document\":{\"a\":{\"type\":\"string\",\"optional\":\"yes\"}}}}}", "/tables/t/document/a/optional"),
                Arguments.of("index name pattern", withIndexes("[{\"name\":\"by-customer\",\"fields\":[\"a\"]}]"), "/tables/projects/indexes/0/name"),
                Arguments.of("index name by_id", withIndexes("[{\"name\":\"by_id\",\"fields\":[\"a\"]}]"), "/tables/projects/indexes/0/name"),
                Arguments.of("index name by_creation_time", withIndexes("[{\"name\":\"by_creation_time\",\"fields\":[\"a\"]}]"), "/tables/projects/indexes/0/name"),
                Arguments.of("index name starting with _", withIndexes("[{\"name\":\"_mine\",\"fields\":[\"a\"]}]"), "/tables/projects/indexes/0/name"),
                Arguments.of("no index fields", withIndexes("[{\"name\":\"ix\",\"fields\":[]}]"), "/tables/projects/indexes/0/fields"),
                Arguments.of("17 index fields", withIndexes("[{\"name\":\"ix\",\"fields\":" + fields(17) + "}]"), "/tables/projects/indexes/0/fields"),
                Arguments.of("duplicate index field", withIndexes("[{\"name\":\"ix\",\"fields\":[\"a\",\"a\"]}]"), "/tables/projects/indexes/0/fields/1"),
                Arguments.of("system field in an index", withIndexes("[{\"name\":\"ix\",\"fields\":[\"_creationTime\"]}]"), "/tables/projects/indexes/0/fields/0"),
                Arguments.of("injection in an index field", withIndexes("[{\"name\":\"ix\",\"fields\":[\"a') ; drop table x; --\"]}]"), "/tables/projects/indexes/0/fields/0"),
                Arguments.of("duplicate index name", withIndexes("[{\"name\":\"ix\",\"fields\":[\"a\"]},{\"name\":\"ix\",\"fields\":[\"b\"]}]"), "/tables/projects/indexes/1/name"),
                Arguments.of("33 indexes", withIndexes(indexes(33)), "/tables/projects/indexes"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidSchemas")
    void invalidSchemasNameThePlace(String name, String json, String path) {
        InvalidRequest e = assertThrows(InvalidRequest.class, () -> parse(json));
        assertTrue(e.violations().stream().map(Violation::path).anyMatch(path::equals), e.violations().toString());
    }

    @Test
    void theLimitsThemselvesAreAccepted() {
        assertEquals(32, parse(withIndexes(indexes(32))).table("projects").indexes().size());
        assertEquals(16, parse(withIndexes("[{\"name\":\"ix\",\"fields\":" + fields(16) + "}]")).table("projects").indexes().get(0).fields().size());
        assertEquals("address.city", parse(withIndexes("[{\"name\":\"by_city\",\"fields\":[\"address.city\"]}]")).table("projects").indexes().get(0).fields().get(0));
    }

    @Test
    void theHashIgnoresKeyOrderAndFieldMapForm() {
        Schema a = parse("{\"tables\":{\"t\":{\"document\":{\"a\":{\"type\":\"string\"},\"b\":{\"type\":\"number\",\"optional\":true}}}}}");
        Schema b = parse("{\"schemaValidation\":true,\"tables\":{\"t\":{\"document\":{\"type\":\"object\",\"fields\":{\"b\":{\"optional\":true,\"type\":\"number\"},\"a\":{\"type\":\"string\"}}}}}}");
        Schema c = parse("{\"tables\":{\"t\":{\"document\":{\"a\":{\"type\":\"string\"},\"b\":{\"type\":\"number\"}}}}}");
        assertEquals(a.hash(), b.hash());
        assertNotEquals(a.hash(), c.hash());
    }

    @Test
    void aYamlSchemaIsTheSameSchema() {
        String yaml = "tables:\n  t:\n    document:\n      a: {type: string}\n";
        Schema fromYaml = SchemaParser.parse(SchemaDocuments.read(yaml.getBytes(), true), n -> OptionalInt.empty());
        assertEquals(parse("{\"tables\":{\"t\":{\"document\":{\"a\":{\"type\":\"string\"}}}}}").hash(), fromYaml.hash());
    }
}
