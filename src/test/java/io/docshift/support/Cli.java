package io.docshift.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The built command line ({@code target/docshift}) run as a process: in a pipe, or in a real pseudo-terminal
 * ({@code script} from util-linux) that answers its prompts.
 */
public final class Cli {

    public static final Path EXECUTABLE = Path.of("target", "docshift");

    /** What a run printed and how it ended. */
    public record Result(int exit, String out, String err) {
    }

    /**
     * A prompt to wait for, the line to type when it appears ({@code null}: type nothing), and something to do
     * then (may be null): edit a file the command watches, say.
     */
    public record Answer(String prompt, String line, Runnable then) {

        public Answer(String prompt, String line) {
            this(prompt, line, null);
        }
    }

    private final Map<String, String> env = new HashMap<>();
    private Path directory;

    public Cli(String url) {
        env.put("DOCSHIFT_URL", url);
    }

    public Cli env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** Runs the commands in {@code dir} (where a project file is looked for), not the build's directory. */
    public Cli in(Path dir) {
        this.directory = dir;
        return this;
    }

    /** Runs {@code docshift args...} with standard input and output as pipes. */
    public Result run(String... args) throws IOException, InterruptedException {
        return start(args).finish();
    }

    /** Starts {@code docshift args...} in pipes, for a test that acts while it runs (restarts the service, say). */
    public Running start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(EXECUTABLE.toAbsolutePath().toString()));
        command.addAll(List.of(args));
        ProcessBuilder b = new ProcessBuilder(command);
        b.environment().putAll(env);
        b.environment().remove("NO_COLOR");
        if (directory != null) {
            b.directory(directory.toFile());
        }
        Process p = b.start();
        p.getOutputStream().close();
        return new Running(args[0], p);
    }

    /** A command still running, its output so far readable. */
    public static final class Running {
        private final String name;
        private final Process process;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();
        private final Thread outPump;
        private final Thread errPump;

        private Running(String name, Process process) {
            this.name = name;
            this.process = process;
            this.outPump = pump(process.getInputStream(), out);
            this.errPump = pump(process.getErrorStream(), err);
        }

        /** Standard output and error so far, one after the other. */
        public String output() {
            synchronized (out) {
                synchronized (err) {
                    return out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
                }
            }
        }

        /** Waits until {@code text} was printed (on either stream), failing with what was printed if it never is. */
        public void awaitOutput(String text, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!output().contains(text)) {
                if (!process.isAlive() && !output().contains(text)) {
                    throw new AssertionError("docshift " + name + " ended (" + process.exitValue() + ") without printing \"" + text + "\":\n" + output());
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("docshift " + name + " did not print \"" + text + "\" within " + timeout + ":\n" + output());
                }
                Thread.sleep(20);
            }
        }

        /** Waits for the end (at most 5 minutes). */
        public Result finish() throws InterruptedException {
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError("docshift " + name + " did not end within 5 minutes:\n" + output());
            }
            outPump.join();
            errPump.join();
            return new Result(process.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
    }

    /**
     * Runs {@code docshift args...} in a pseudo-terminal, typing each answer when its prompt has appeared. Without
     * answers it waits up to {@code timeout} for the process to end; with answers, up to 3 s after the last one,
     * then stops it (a watching {@code dev}). Returns everything the terminal showed, escape codes included;
     * {@code exit} is -1 when it was stopped.
     */
    public Result inTerminal(Duration timeout, List<Answer> answers, String... args) throws IOException, InterruptedException {
        StringBuilder line = new StringBuilder(EXECUTABLE.toAbsolutePath().toString());
        for (String a : args) {
            line.append(" '").append(a.replace("'", "'\\''")).append("'");
        }
        // a pseudo-terminal from util-linux's script: the test is skipped where it is missing (it fails under CI=true)
        Tools.require("A test in a terminal", new Tools.Tool("script", "util-linux"));
        ProcessBuilder b = new ProcessBuilder("script", "-q", "-f", "-e", "-c", line.toString(), "/dev/null");
        b.environment().putAll(env);
        b.environment().remove("NO_COLOR");
        b.environment().put("TERM", "xterm");
        if (directory != null) {
            b.directory(directory.toFile());
        }
        b.redirectErrorStream(true);
        Process p = b.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = pump(p.getInputStream(), out);
        OutputStream keys = p.getOutputStream();
        long deadline = System.nanoTime() + timeout.toNanos();
        int from = 0;
        for (Answer a : answers) {
            int at;
            while ((at = out.toString(StandardCharsets.UTF_8).indexOf(a.prompt(), from)) < 0) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    p.destroyForcibly();
                    throw new AssertionError("the prompt \"" + a.prompt() + "\" never appeared; the terminal showed:\n" + out.toString(StandardCharsets.UTF_8));
                }
                Thread.sleep(20);
            }
            from = at + a.prompt().length();
            if (a.line() != null) {
                keys.write((a.line() + "\r").getBytes(StandardCharsets.UTF_8));
                keys.flush();
            }
            if (a.then() != null) {
                a.then().run();
            }
        }
        // a command that watches on after the last answer is stopped a moment later
        long left = Math.max(0, deadline - System.nanoTime());
        boolean ended = p.waitFor(answers.isEmpty() ? left : Math.min(left, TimeUnit.SECONDS.toNanos(3)), TimeUnit.NANOSECONDS);
        if (!ended) {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
            p.destroyForcibly();
        }
        reader.join(5_000);
        return new Result(ended ? p.exitValue() : -1, out.toString(StandardCharsets.UTF_8), "");
    }

    /** Copies a stream into {@code sink} on a thread of its own, until it ends. */
    private static Thread pump(InputStream in, ByteArrayOutputStream sink) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    synchronized (sink) {
                        sink.write(buf, 0, n);
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }
}
