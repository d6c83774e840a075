package io.docshift.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.docshift.document.json.JsonPath;
import io.docshift.document.store.DocumentId;
import io.docshift.error.Violation;
import io.docshift.schema.validate.Validator;
import io.docshift.schema.validate.Violations;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.OptionalInt;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every validator type, valid and invalid, with the path of each violation. */
class ValidatorTest {

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final String CUSTOMER_ID = DocumentId.of(1_700_000_000_000L, 7, 42).toString();
    static final String PROJECT_ID = DocumentId.of(1_700_000_000_000L, 8, 42).toString();

    static Validator field(String spec) {
        Schema s = SchemaParser.parse(json("{\"tables\":{\"t\":{\"document\":{\"f\":" + spec + "}},"
                + "\"customers\":{\"document\":{}}}}"), name -> name.equals("customers") ? OptionalInt.of(7) : OptionalInt.empty());
        return s.table("t").document();
    }

    static JsonNode json(String s) {
        try {
            return MAPPER.readTree(s);
        } catch (Exception e) {
            throw new IllegalArgumentException(s, e);
        }
    }

    static List<Violation> violations(Validator v, String doc) {
        Violations sink = new Violations();
        boolean ok = v.validate(json(doc), new JsonPath(), sink);
        assertEquals(ok, sink.isEmpty(), "validate() must agree with its violations");
        assertEquals(ok, v.validate(json(doc), new JsonPath(), null), "validation without a sink must agree");
        return sink.list();
    }

    static Stream<Arguments> valid() {
        return Stream.of(
                Arguments.of("{\"type\":\"string\"}", "\"x\""),
                Arguments.of("{\"type\":\"number\"}", "1.5"),
                Arguments.of("{\"type\":\"number\"}", "3"),
                Arguments.of("{\"type\":\"int64\"}", "9223372036854775807"),
                Arguments.of("{\"type\":\"int64\"}", "-42"),
                Arguments.of("{\"type\":\"boolean\"}", "false"),
                Arguments.of("{\"type\":\"null\"}", "null"),
                Arguments.of("{\"type\":\"bytes\"}", "\"aGVsbG8=\""),
                Arguments.of("{\"type\":\"any\"}", "{\"a\":[1,{}]}"),
                Arguments.of("{\"type\":\"id\",\"table\":\"customers\"}", "\"" + CUSTOMER_ID + "\""),
                Arguments.of("{\"type\":\"literal\",\"value\":\"active\"}", "\"active\""),
                Arguments.of("{\"type\":\"literal\",\"value\":2}", "2.0"),
                Arguments.of("{\"type\":\"literal\",\"value\":true}", "true"),
                Arguments.of("{\"type\":\"union\",\"members\":[{\"type\":\"string\"},{\"type\":\"null\"}]}", "null"),
                Arguments.of("{\"type\":\"array\",\"items\":{\"type\":\"number\"}}", "[1,2,3]"),
                Arguments.of("{\"type\":\"array\",\"items\":{\"type\":\"number\"}}", "[]"),
                Arguments.of("{\"type\":\"object\",\"fields\":{\"a\":{\"type\":\"string\"},\"b\":{\"type\":\"number\",\"optional\":true}}}", "{\"a\":\"x\"}"),
                Arguments.of("{\"type\":\"record\",\"keys\":{\"type\":\"string\"},\"values\":{\"type\":\"number\"}}", "{\"x\":1,\"y\":2}"),
                Arguments.of("{\"type\":\"record\",\"keys\":{\"type\":\"id\",\"table\":\"customers\"},\"values\":{\"type\":\"boolean\"}}", "{\"" + CUSTOMER_ID + "\":true}"));
    }

    @ParameterizedTest(name = "{0} accepts {1}")
    @MethodSource("valid")
    void acceptsValidValues(String spec, String value) {
        assertEquals(List.of(), violations(field(spec), "{\"f\":" + value + "}"));
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("{\"type\":\"string\"}", "1", "/f"),
                Arguments.of("{\"type\":\"number\"}", "\"1\"", "/f"),
                Arguments.of("{\"type\":\"int64\"}", "1.5", "/f"),
                Arguments.of("{\"type\":\"int64\"}", "1e19", "/f"),
                Arguments.of("{\"type\":\"boolean\"}", "\"true\"", "/f"),
                Arguments.of("{\"type\":\"null\"}", "0", "/f"),
                Arguments.of("{\"type\":\"bytes\"}", "\"not base64!\"", "/f"),
                Arguments.of("{\"type\":\"id\",\"table\":\"customers\"}", "\"" + PROJECT_ID + "\"", "/f"),
                Arguments.of("{\"type\":\"id\",\"table\":\"customers\"}", "\"nope\"", "/f"),
                Arguments.of("{\"type\":\"literal\",\"value\":\"active\"}", "\"Active\"", "/f"),
                Arguments.of("{\"type\":\"union\",\"members\":[{\"type\":\"string\"},{\"type\":\"null\"}]}", "1", "/f"),
                Arguments.of("{\"type\":\"array\",\"items\":{\"type\":\"number\"}}", "[1,\"2\",3]", "/f/1"),
                Arguments.of("{\"type\":\"array\",\"items\":{\"type\":\"number\"}}", "{}", "/f"),
                Arguments.of("{\"type\":\"object\",\"fields\":{\"a\":{\"type\":\"string\"}}}", "{}", "/f/a"),
                Arguments.of("{\"type\":\"object\",\"fields\":{\"a\":{\"type\":\"string\"}}}", "{\"a\":\"x\",\"b\":1}", "/f/b"),
                Arguments.of("{\"type\":\"record\",\"keys\":{\"type\":\"string\"},\"values\":{\"type\":\"number\"}}", "{\"x\":\"1\"}", "/f/x"),
                Arguments.of("{\"type\":\"record\",\"keys\":{\"type\":\"id\",\"table\":\"customers\"},\"values\":{\"type\":\"number\"}}", "{\"k\":1}", "/f/k"));
    }

    @ParameterizedTest(name = "{0} refuses {1} at {2}")
    @MethodSource("invalid")
    void refusesInvalidValuesNamingThePath(String spec, String value, String path) {
        List<Violation> v = violations(field(spec), "{\"f\":" + value + "}");
        assertEquals(1, v.size(), v.toString());
        assertEquals(path, v.get(0).path());
    }

    @Test
    void nestedObjectsAndArraysReportEveryViolationWithItsPath() {
        Validator v = field("{\"type\":\"array\",\"items\":{\"type\":\"object\",\"fields\":{"
                + "\"price\":{\"type\":\"number\"},\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}}}}");
        List<Violation> found = violations(v, "{\"f\":[{\"price\":1,\"tags\":[]},{\"price\":\"2\",\"tags\":[\"a\",3]},{\"tags\":[]}]}");
        assertEquals(List.of("/f/1/price", "/f/1/tags/1", "/f/2/price"), found.stream().map(Violation::path).toList());
    }

    @Test
    void aMissingRequiredFieldAndAnUnknownFieldAreBothReported() {
        Schema s = SchemaParser.parse(json("{\"tables\":{\"customers\":{\"document\":{\"name\":{\"type\":\"string\"},"
                + "\"email\":{\"type\":\"string\",\"optional\":true}}}}}"), n -> OptionalInt.empty());
        List<Violation> found = violations(s.table("customers").document(), "{\"legacy\":1}");
        assertEquals(List.of("/name", "/legacy"), found.stream().map(Violation::path).toList());
        assertTrue(violations(s.table("customers").document(), "{\"name\":\"Ada\"}").isEmpty(), "optional fields may be absent");
    }

    @Test
    void aUnionOfObjectsAsTheDocumentValidator() {
        Schema s = SchemaParser.parse(json("{\"tables\":{\"events\":{\"document\":{\"type\":\"union\",\"members\":["
                + "{\"type\":\"object\",\"fields\":{\"kind\":{\"type\":\"literal\",\"value\":\"click\"},\"x\":{\"type\":\"number\"}}},"
                + "{\"type\":\"object\",\"fields\":{\"kind\":{\"type\":\"literal\",\"value\":\"key\"},\"code\":{\"type\":\"string\"}}}]}}}}"),
                n -> OptionalInt.empty());
        Validator doc = s.table("events").document();
        assertTrue(violations(doc, "{\"kind\":\"click\",\"x\":1}").isEmpty());
        assertTrue(violations(doc, "{\"kind\":\"key\",\"code\":\"Enter\"}").isEmpty());
        List<Violation> bad = violations(doc, "{\"kind\":\"click\",\"code\":\"Enter\"}");
        assertEquals("/", bad.get(0).path());
    }
}
