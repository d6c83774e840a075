package io.docshift.bench;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Where an app process spends its time under a load: a Java Flight Recorder recording started and dumped with
 * {@code jcmd}, its CPU samples summed by the package of their top frame and by the first Docshift method on
 * their stack. Written to the benchmark report, so the figures come with their profile.
 */
final class Profile {

    private Profile() {
    }

    record Recording(long pid, Path file) {

        /** Dumps the recording and reports its ten heaviest packages and Docshift methods under {@code label}. */
        void stopAndReport(String label) throws Exception {
            jcmd(pid, "JFR.stop", "name=bench", "filename=" + file.toAbsolutePath());
            Map<String, Integer> byPackage = new HashMap<>();
            Map<String, Integer> byDocshift = new HashMap<>();
            int total = 0;
            for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
                if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null || e.getStackTrace().getFrames().isEmpty()) {
                    continue;
                }
                total++;
                List<RecordedFrame> frames = e.getStackTrace().getFrames();
                String top = frames.get(0).getMethod().getType().getName();
                byPackage.merge(top.contains(".") ? top.substring(0, top.lastIndexOf('.')) : top, 1, Integer::sum);
                frames.stream().filter(f -> f.getMethod().getType().getName().startsWith("io.docshift")).findFirst()
                        .ifPresent(f -> byDocshift.merge(f.getMethod().getType().getName() + "." + f.getMethod().getName(), 1, Integer::sum));
            }
            int samples = total;
            BenchReport.record("profile", label + ": CPU samples", samples, "samples", "JFR jdk.ExecutionSample of the app process during the load", true);
            report(label + ", top frame's package", byPackage, samples);
            report(label + ", first Docshift method on the stack", byDocshift, samples);
        }

        private static void report(String label, Map<String, Integer> counts, int total) {
            String top = counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(10)
                    .map(e -> String.format(Locale.ROOT, "%s %.1f%%", e.getKey(), 100.0 * e.getValue() / Math.max(1, total)))
                    .collect(Collectors.joining("; "));
            BenchReport.record("profile", label, counts.values().stream().mapToInt(Integer::intValue).sum() * 100.0 / Math.max(1, total), "% of samples", top, true);
        }
    }

    /** Starts a recording of process {@code pid} (JFR's "profile" settings), to be dumped to {@code file}. */
    static Recording start(long pid, Path file) throws IOException, InterruptedException {
        jcmd(pid, "JFR.start", "name=bench", "settings=profile");
        return new Recording(pid, file);
    }

    private static void jcmd(long pid, String... args) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        String jcmd = Path.of(java).resolveSibling("jcmd").toString();
        List<String> command = new java.util.ArrayList<>(List.of(jcmd, Long.toString(pid)));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("jcmd " + String.join(" ", args) + " failed: " + out);
        }
    }
}
