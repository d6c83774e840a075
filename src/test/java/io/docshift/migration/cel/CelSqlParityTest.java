package io.docshift.migration.cel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.docshift.migration.step.StepSql;
import io.docshift.support.TestDb;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What PostgreSQL computes for a translated expression is what CEL computes in the JVM, document by document:
 * the same value, or an error on both sides (SQL NULL standing for CEL's error); for conditions, the same
 * documents selected. Awkward documents: missing fields, nulls, wrong types, nested objects, empty strings.
 */
@QuarkusTest
class CelSqlParityTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static final String[] DOCS = {
            "{}",
            "{\"spend\": 1500, \"name\": \"Ada Lovelace\", \"tags\": [\"vip\", \"x\"], \"addr\": {\"city\": \"Paris\", \"zip\": 75001}}",
            "{\"spend\": 999.5, \"name\": \"\", \"tags\": [], \"addr\": {}}",
            "{\"spend\": \"1500\", \"name\": 42, \"tags\": \"vip\", \"addr\": \"Paris\"}",
            "{\"spend\": null, \"name\": null, \"tags\": null, \"addr\": null}",
            "{\"spend\": 0.1, \"other\": 0.2, \"name\": \"Zoë\", \"flag\": true}",
            "{\"spend\": -3, \"other\": 0, \"name\": \"a\", \"flag\": false}",
            "{\"spend\": 1e20, \"other\": 3, \"name\": \"B\", \"flag\": \"true\"}",
    };

    private static final String[] VALUES = {
            "doc.spend", "doc.spend * 2.0", "doc.spend + doc.other", "doc.spend - doc.other", "doc.spend / doc.other", "-doc.spend",
            "doc.name + '!'", "size(doc.name)", "size(doc.tags)", "doc.addr.city", "doc.spend > 1000.0 ? 'gold' : 'basic'",
            "doc.flag ? 1.0 : 2.0", "has(doc.name)", "has(doc.addr.city)", "doc.name.startsWith('A')", "doc.name.endsWith('e')",
            "doc.name.contains('ove')", "doc.name < 'B'", "doc.name == 'Ada Lovelace'", "doc.spend != 1500.0", "!doc.flag",
            "doc.tags + ['y']", "doc.spend >= 1000 && doc.name != ''", "doc.spend < 0.0 || doc.flag", "null", "doc.name == null",
            "doc.spend == 1500", "doc.addr.zip >= 75000.0", "1.5 * 2.0", "'a' + 'b'",
    };

    private static final String[] CONDITIONS = {
            "doc.spend >= 1000.0", "doc.spend < 1000", "doc.name == 'Ada Lovelace'", "doc.name != 'Ada Lovelace'", "!(doc.spend >= 1000.0)",
            "doc.spend >= 1000.0 || doc.flag", "doc.spend >= 1000.0 && has(doc.tags)", "doc.addr.city == 'Paris'", "doc.flag",
            "doc.spend > doc.other", "doc.name == null", "has(doc.spend) && doc.spend == null", "doc.spend == 1500 ? true : doc.flag",
            "doc.addr.zip > 70000.0",
    };

    @Test
    void translatedValuesAreWhatCelComputes() throws Exception {
        try (Connection c = TestDb.connect()) {
            for (String source : VALUES) {
                CelExpression x = Cel.compile(source, "/expr", false);
                Optional<StepSql.Fragment> sql = CelSql.value(x, "d.body");
                assertTrue(sql.isPresent(), "translatable: " + source);
                for (String doc : DOCS) {
                    JsonNode body = MAPPER.readTree(doc);
                    JsonNode jvm;
                    try {
                        jvm = x.value(body);
                    } catch (CelExpression.Failure e) {
                        jvm = null;
                    }
                    JsonNode db = evaluate(c, sql.get(), doc);
                    assertEquals(jvm == null ? null : jvm.toString(), db == null ? null : same(c, jvm, db),
                            source + " on " + doc + ": JVM " + jvm + ", SQL " + db);
                }
            }
        }
    }

    @Test
    void translatedConditionsSelectWhatCelSelects() throws Exception {
        try (Connection c = TestDb.connect()) {
            for (String source : CONDITIONS) {
                CelExpression x = Cel.compile(source, "/where", true);
                StepSql.Fragment sql = CelSql.condition(x, "d.body").orElseThrow(() -> new AssertionError("translatable: " + source));
                for (String doc : DOCS) {
                    boolean jvm = x.holds(MAPPER.readTree(doc));
                    JsonNode db = evaluate(c, new StepSql.Fragment("to_jsonb(coalesce(" + sql.sql() + ", false))", sql.params(), 0), doc);
                    assertEquals(jvm, db.asBoolean(), source + " on " + doc);
                }
            }
        }
    }

    @Test
    void whatPostgresCannotComputeTheSameWayIsLeftToTheJvm() {
        for (String source : new String[]{"doc.spend * 2", "doc.tags.exists(t, t == 'vip')", "int(doc.spend)", "string(doc.spend)",
                "doc.name.matches('^A')", "doc.tags[0]", "'vip' in doc.tags", "doc.spend % 2", "size(doc.name) + 1"}) {
            assertFalse(CelSql.translatable(Cel.compile(source, "/expr", false)), source);
        }
    }

    /** The value of {@code sql} over a body, or null when PostgreSQL gives SQL NULL (an error). */
    private static JsonNode evaluate(Connection c, StepSql.Fragment sql, String doc) throws Exception {
        try (PreparedStatement p = c.prepareStatement("select (" + sql.sql() + ")::text from (select ?::jsonb as body) d")) {
            int i = 1;
            for (Object v : sql.params()) {
                p.setString(i++, (String) v);
            }
            p.setString(i, doc);
            try (ResultSet r = p.executeQuery()) {
                r.next();
                String text = r.getString(1);
                return text == null ? null : MAPPER.readTree(text);
            }
        }
    }

    /** {@code db}, printed as the JVM's value when PostgreSQL holds the two equal as jsonb (1500 and 1500.0 are). */
    private static String same(Connection c, JsonNode jvm, JsonNode db) throws Exception {
        if (jvm == null) {
            return db.toString();
        }
        try (PreparedStatement p = c.prepareStatement("select ?::jsonb = ?::jsonb")) {
            p.setString(1, jvm.toString());
            p.setString(2, db.toString());
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return r.getBoolean(1) ? jvm.toString() : db.toString();
            }
        }
    }
}
