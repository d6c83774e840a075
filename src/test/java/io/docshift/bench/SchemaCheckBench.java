package io.docshift.bench;

import io.docshift.support.Api;
import io.docshift.support.TestDb;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Checking 1,000,000 stored documents against a schema change, through the plan endpoint, beside the
 * database's own ceiling for the same question (one SQL count over the same rows). Only in {@code -Pbench}.
 */
@QuarkusTest
class SchemaCheckBench {

    static final int DOCUMENTS = Integer.getInteger("bench.documents", 1_000_000);

    @Test
    void checkingAMillionDocumentsAgainstABreakingChange() throws Exception {
        String table = TestDb.freshTable("bench_customers");
        Api.insert(table, "{\"orgId\":\"org_0\",\"name\":\"Customer 0\",\"status\":\"active\"}");
        int number;
        try (Connection c = TestDb.connect(); Statement s = c.createStatement()) {
            try (PreparedStatement p = c.prepareStatement("select number from docshift.doc_table where name = ?")) {
                p.setString(1, table);
                try (ResultSet r = p.executeQuery()) {
                    r.next();
                    number = r.getInt(1);
                }
            }
            s.execute("insert into docshift_data.doc_" + number + " (id, creation_time, schema_version, revision, data)"
                    + " select (lpad(to_hex((t.ms << 16) | " + number + "), 16, '0') || lpad(to_hex(g), 16, '0'))::uuid, t.ms, 0, nextval('docshift.write_seq'),"
                    + " jsonb_build_object('orgId', 'org_' || (g % 1000), 'name', 'Customer ' || g)"
                    + " || case when g % 2 = 0 then '{\"status\":\"active\"}'::jsonb else '{}'::jsonb end"
                    + " from generate_series(1, " + (DOCUMENTS - 1) + ") g, (select (extract(epoch from now()) * 1000)::bigint + 1 as ms) t");
            s.execute("vacuum analyze docshift_data.doc_" + number);
        }
        String optional = schema(table, true);
        String required = schema(table, false);

        long t0 = System.nanoTime();
        given().contentType(ContentType.JSON).body(optional).put("/api/schema").then().statusCode(200);
        double pushSeconds = (System.nanoTime() - t0) / 1e9;

        t0 = System.nanoTime();
        int violating = given().contentType(ContentType.JSON).body(required).post("/api/schema/plan")
                .then().statusCode(200).extract().path("violations[0].violating");
        double planSeconds = (System.nanoTime() - t0) / 1e9;
        int expected = DOCUMENTS / 2;
        assertEquals(expected, violating, "the exact number of violating documents");

        double sqlSeconds;
        try (Connection c = TestDb.connect(); Statement s = c.createStatement()) {
            t0 = System.nanoTime();
            try (ResultSet r = s.executeQuery("select count(*) from docshift_data.doc_" + number + " where not data ? 'status'")) {
                r.next();
                assertEquals(expected, r.getLong(1));
            }
            sqlSeconds = (System.nanoTime() - t0) / 1e9;
        }
        BenchReport.record("schema-check", "plan (breaking, " + DOCUMENTS + " docs)", planSeconds, "s",
                String.format("%d violating; target ≤ 10 s; %.1fx the SQL count ceiling (%.2f s)", violating, planSeconds / sqlSeconds, sqlSeconds), planSeconds <= 10);
        BenchReport.record("schema-check", "push (safe, " + DOCUMENTS + " docs)", pushSeconds, "s", "existing documents checked before activation", pushSeconds <= 10);
    }

    private static String schema(String table, boolean statusOptional) {
        return "{\"tables\":{\"" + table + "\":{\"document\":{\"orgId\":{\"type\":\"string\"},\"name\":{\"type\":\"string\"},"
                + "\"status\":{\"type\":\"string\"" + (statusOptional ? ",\"optional\":true" : "") + "}}}}}";
    }
}
