package io.docshift.migration.step;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.docshift.migration.MigrationParser;
import io.docshift.support.TestDb;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A migration whose expressions only the JVM evaluates runs all its steps there: each step gives there what
 * it gives in PostgreSQL, on every awkward document (missing, null, empty, wrong type, nested through a
 * non-object), the same body or the same failure.
 */
@QuarkusTest
class StepJvmParityTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static final String[] DOCS = {
            "{}", "{\"name\": null}", "{\"name\": \"\"}", "{\"name\": \"Ada\"}", "{\"name\": \"Ada  Lovelace \"}", "{\"name\": 42}",
            "{\"name\": \"Ada Lovelace\", \"fullName\": \"Kept\"}", "{\"name\": \"x\", \"fullName\": \"\"}", "{\"status\": \"\", \"age\": \"42\"}",
            "{\"age\": \" -1.50e1 \"}", "{\"age\": true}", "{\"age\": 3.25}", "{\"age\": \"abc\"}", "{\"age\": [1]}", "{\"age\": \"TRUE\"}",
            "{\"addr\": {\"city\": \"Paris\"}}", "{\"addr\": \"Paris\"}", "{\"addr\": null}", "{\"addr\": {}}", "{\"flag\": 0}", "{\"flag\": \"false\"}",
    };

    private static final String[] STEPS = {
            "{\"op\": \"setDefault\", \"field\": \"status\", \"value\": \"active\"}",
            "{\"op\": \"setDefault\", \"field\": \"addr.city\", \"value\": \"?\"}",
            "{\"op\": \"set\", \"field\": \"tier\", \"value\": {\"a\": [1, null]}}",
            "{\"op\": \"set\", \"field\": \"addr.zip\", \"value\": 1}",
            "{\"op\": \"set\", \"field\": \"fullName\", \"from\": \"name\"}",
            "{\"op\": \"rename\", \"from\": \"name\", \"to\": \"fullName\"}",
            "{\"op\": \"rename\", \"from\": \"addr.city\", \"to\": \"city\"}",
            "{\"op\": \"unset\", \"field\": \"name\"}",
            "{\"op\": \"unset\", \"field\": \"addr.city\"}",
            "{\"op\": \"split\", \"field\": \"name\", \"separator\": \" \", \"into\": [\"firstName\", \"lastName\"]}",
            "{\"op\": \"split\", \"field\": \"name\", \"separator\": \" \", \"into\": [\"a\", \"b\", \"c\"]}",
            "{\"op\": \"convert\", \"field\": \"age\", \"to\": \"number\"}",
            "{\"op\": \"convert\", \"field\": \"age\", \"to\": \"string\"}",
            "{\"op\": \"convert\", \"field\": \"flag\", \"to\": \"boolean\"}",
            "{\"op\": \"convert\", \"field\": \"age\", \"to\": \"boolean\"}",
            "{\"op\": \"set\", \"field\": \"shout\", \"expr\": \"has(doc.name) ? doc.name + '!' : 'none'\"}",
    };

    @Test
    void everyStepGivesInTheJvmWhatItGivesInPostgres() throws Exception {
        try (Connection c = TestDb.connect()) {
            for (String step : STEPS) {
                List<Step> steps = MigrationParser.parse("parity", MAPPER.readTree("{\"table\": \"t\", \"steps\": [" + step + "]}")).steps();
                StepSql.Fragment chain = StepSql.chain(steps, Map.of());
                for (String doc : DOCS) {
                    String jvm;
                    try {
                        jvm = StepJvm.apply(steps, (ObjectNode) MAPPER.readTree(doc)).toString();
                    } catch (StepJvm.Failure f) {
                        jvm = "fails: " + f.getMessage();
                    }
                    assertEquals(reason(sql(c, chain, doc)), reason(normalized(c, jvm)), step + " on " + doc);
                }
            }
        }
    }

    @Test
    void aWhereAppliesTheStepsWhereItHoldsInBothPlaces() throws Exception {
        List<Step> steps = MigrationParser.parse("parity", MAPPER.readTree("{\"table\": \"t\", \"where\": \"doc.age == '42' || doc.flag == 0.0\","
                + " \"steps\": [{\"op\": \"convert\", \"field\": \"age\", \"to\": \"number\"}, {\"op\": \"set\", \"field\": \"seen\", \"value\": true}]}")).steps();
        StepSql.Fragment chain = StepSql.chain(steps, Map.of());
        try (Connection c = TestDb.connect()) {
            for (String doc : DOCS) {
                String jvm;
                try {
                    jvm = StepJvm.apply(steps, (ObjectNode) MAPPER.readTree(doc)).toString();
                } catch (StepJvm.Failure f) {
                    jvm = "fails: " + f.getMessage();
                }
                assertEquals(sql(c, chain, doc), normalized(c, jvm), doc);
            }
        }
    }

    /**
     * The forms built for Citus (a field set with jsonb_set, IMMUTABLE where CASE or COALESCE choose) give every
     * step's body or failure exactly as the plain forms do, as a chain and as a single step's expression.
     */
    @Test
    void theFormsBuiltForCitusGiveTheSameBodies() throws Exception {
        try (Connection c = TestDb.connect()) {
            for (String step : STEPS) {
                List<Step> steps = MigrationParser.parse("parity", MAPPER.readTree("{\"table\": \"t\", \"steps\": [" + step + "]}")).steps();
                StepSql.Fragment plain = StepSql.chain(steps, Map.of());
                StepSql.Fragment citus = StepSql.chain(steps, Map.of(), true);
                StepSql.Fragment single = StepSql.single(steps, "s0.d", true).orElseThrow();
                StepSql.Fragment singleChain = new StepSql.Fragment(" cross join lateral (select " + single.sql() + " as d) s1", single.params(), 1);
                for (String doc : DOCS) {
                    String expected = sql(c, plain, doc);
                    assertEquals(expected, sql(c, citus, doc), step + " on " + doc);
                    assertEquals(expected, sql(c, singleChain, doc), step + " on " + doc + " (one step's expression)");
                }
            }
        }
    }

    /** The chain's body for {@code doc} as PostgreSQL prints it, or "fails: " and its message. */
    private static String sql(Connection c, StepSql.Fragment chain, String doc) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("select s" + chain.stages() + ".d::text from (select ?::jsonb as d) s0"
                + " cross join lateral (select 'x' as idtext) b" + chain.sql())) {
            p.setString(1, doc);
            int i = 2;
            for (Object v : chain.params()) {
                p.setString(i++, (String) v);
            }
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return r.getString(1);
            }
        } catch (SQLException e) {
            if (!"22023".equals(e.getSQLState()) && !"22P02".equals(e.getSQLState())) {
                throw e;
            }
            org.postgresql.util.ServerErrorMessage m = e instanceof org.postgresql.util.PSQLException pe ? pe.getServerErrorMessage() : null;
            return "fails: " + (m == null ? e.getMessage() : m.getMessage());
        }
    }

    /** An expression's failure without its reason: PostgreSQL can only say that it has no value, the JVM says why. */
    private static String reason(String outcome) {
        return outcome.replaceFirst("(has no value: ).*", "$1...");
    }

    /** A body as PostgreSQL prints it as jsonb; a failure as it is. */
    private static String normalized(Connection c, String jvm) throws SQLException {
        if (jvm.startsWith("fails: ")) {
            return jvm;
        }
        try (PreparedStatement p = c.prepareStatement("select ?::jsonb::text")) {
            p.setString(1, jvm);
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return r.getString(1);
            }
        }
    }
}
