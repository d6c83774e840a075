package io.docshift.schema;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * How many documents of a table violate a schema, with the first few as examples; in a plan or a refused push
 * that lists migrations, also what those migrations would leave ({@code afterMigrations}).
 */
@org.eclipse.microprofile.openapi.annotations.media.Schema(name = "TableReport", description = "How many documents of a table violate a schema, with examples")
public record TableReport(String table, long violating, List<Example> examples,
                          @JsonInclude(JsonInclude.Include.NON_NULL) Forecast afterMigrations) {

    public TableReport(String table, long violating, List<Example> examples) {
        this(table, violating, examples, null);
    }

    public TableReport withForecast(Forecast forecast) {
        return new TableReport(table, violating, examples, forecast);
    }

    /** One violation of one document. */
    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "ViolationExample")
    public record Example(@JsonProperty("_id") String id, String path, String message) {
    }

    /**
     * What the documents of a table would be after the migrations a push lists, simulated on them: how many would
     * still violate the schema (with examples), and on which documents a migration would fail. {@code simulated}
     * documents were migrated; {@code sample} says they were not all the documents it would change (a Java
     * migration is given at most {@code docshift.migrations.plan-sample} violating documents).
     */
    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "Forecast", description = "What the listed migrations would leave")
    public record Forecast(long violating, List<Example> examples, long failing, List<Failure> failures, long simulated, boolean sample) {

        /** Nothing would violate the schema and nothing would fail. */
        @com.fasterxml.jackson.annotation.JsonIgnore
        public boolean clean() {
            return violating == 0 && failing == 0;
        }
    }

    /** A document a listed migration would fail on, and why. */
    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "ForecastFailure")
    public record Failure(String migration, @JsonProperty("_id") String id, String message) {
    }
}
