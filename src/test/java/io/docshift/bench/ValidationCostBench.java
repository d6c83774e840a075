package io.docshift.bench;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.Collection;

/** Runs {@link ValidationBench} under JMH (one fork) and records ns per document. Only in {@code -Pbench}. */
class ValidationCostBench {

    @Test
    void validationCostPerDocument() throws Exception {
        Options options = new OptionsBuilder()
                .include(ValidationBench.class.getName())
                .forks(1)
                .warmupIterations(3).warmupTime(TimeValue.seconds(1))
                .measurementIterations(5).measurementTime(TimeValue.seconds(1))
                .build();
        Collection<RunResult> results = new Runner(options).run();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark().replaceAll(".*\\.", "");
            double ns = r.getPrimaryResult().getScore();
            double target = name.equals("tenFieldDocument") ? 2000 : 20000;
            BenchReport.record("validation", name, ns / 1000.0, "µs/doc", "target ≤ " + target / 1000 + " µs", ns <= target);
        }
    }
}
