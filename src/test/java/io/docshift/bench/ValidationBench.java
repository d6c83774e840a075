package io.docshift.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.docshift.document.json.JsonPath;
import io.docshift.schema.Schema;
import io.docshift.schema.SchemaParser;
import io.docshift.schema.validate.Validator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/** JMH: the cost of validating one parsed document against its table's validator. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ValidationBench {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    Validator tenFields;
    JsonNode tenFieldDoc;
    Validator nested;
    JsonNode nestedDoc;
    final JsonPath path = new JsonPath();

    @Setup
    public void setup() throws Exception {
        Schema s = SchemaParser.parse(MAPPER.readTree("""
                {"tables": {"customers": {"document": {
                  "orgId": {"type": "string"}, "name": {"type": "string"}, "email": {"type": "string", "optional": true},
                  "age": {"type": "int64"}, "score": {"type": "number"}, "active": {"type": "boolean"},
                  "status": {"type": "union", "members": [{"type": "literal", "value": "active"}, {"type": "literal", "value": "completed"}]},
                  "tags": {"type": "array", "items": {"type": "string"}},
                  "address": {"type": "object", "fields": {"city": {"type": "string"}, "zip": {"type": "string"}}},
                  "note": {"type": "union", "members": [{"type": "string"}, {"type": "null"}]}}}}}
                """), n -> OptionalInt.empty());
        tenFields = s.table("customers").document();
        tenFieldDoc = MAPPER.readTree("""
                {"orgId": "org_1", "name": "Ada Lovelace", "email": "ada@example.com", "age": 36, "score": 9.5, "active": true,
                 "status": "active", "tags": ["vip", "beta"], "address": {"city": "London", "zip": "W1"}, "note": null}
                """);
        // 200 nested fields: 20 objects of 10 fields, two levels deep
        StringBuilder spec = new StringBuilder("{\"tables\": {\"t\": {\"document\": {");
        StringBuilder doc = new StringBuilder("{");
        for (int o = 0; o < 20; o++) {
            spec.append(o == 0 ? "" : ",").append("\"o").append(o).append("\": {\"type\": \"object\", \"fields\": {");
            doc.append(o == 0 ? "" : ",").append("\"o").append(o).append("\": {");
            for (int f = 0; f < 10; f++) {
                spec.append(f == 0 ? "" : ",").append("\"f").append(f).append("\": {\"type\": \"").append(f % 2 == 0 ? "string" : "number").append("\"}");
                doc.append(f == 0 ? "" : ",").append("\"f").append(f).append("\": ").append(f % 2 == 0 ? "\"value\"" : "42");
            }
            spec.append("}}");
            doc.append('}');
        }
        nested = SchemaParser.parse(MAPPER.readTree(spec.append("}}}}").toString()), n -> OptionalInt.empty()).table("t").document();
        nestedDoc = MAPPER.readTree(doc.append('}').toString());
        if (!tenFields.validate(tenFieldDoc, path, null) || !nested.validate(nestedDoc, path, null)) {
            throw new IllegalStateException("benchmark documents must be valid");
        }
    }

    @Benchmark
    public boolean tenFieldDocument() {
        return tenFields.validate(tenFieldDoc, path, null);
    }

    @Benchmark
    public boolean twoHundredNestedFields() {
        return nested.validate(nestedDoc, path, null);
    }
}
