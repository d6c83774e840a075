package io.docshift.bench;

import io.docshift.support.TestDb;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * An open-loop load: requests are due at a fixed rate whatever the answers do, and each latency counts from
 * when its request was due, so a stall shows as the latency of every request due during it (no coordinated
 * omission). The same pacing drives REST requests and plain JDBC calls, so the two compare like for like.
 */
final class OpenLoop {

    /** One request that succeeded: when it was due ({@link System#nanoTime}) and its latency from then, in nanoseconds. */
    record Sample(long due, long latency) {
    }

    /** The requests that succeeded, and how many failed. */
    record Result(List<Sample> samples, long failed) {

        /** The q-quantile (0.5, 0.99, 0.999) in milliseconds. */
        double ms(double q) {
            long[] sorted = samples.stream().mapToLong(Sample::latency).sorted().toArray();
            return sorted[Math.min(sorted.length - 1, (int) (sorted.length * q))] / 1e6;
        }

        /** Answers per second, from the first due time to the last answer: below the paced rate when the server fell behind. */
        double answeredPerSecond() {
            long first = samples.stream().mapToLong(Sample::due).min().orElse(0);
            long last = samples.stream().mapToLong(x -> x.due() + x.latency()).max().orElse(first + 1);
            return samples.size() / ((last - first) / 1e9);
        }

        /** How many requests succeeded. */
        int count() {
            return samples.size();
        }

        /** The requests slower than {@code millis}, in due order. */
        List<Sample> slowerThan(double millis) {
            return samples.stream().filter(s -> s.latency() > millis * 1e6).sorted(java.util.Comparator.comparingLong(Sample::due)).toList();
        }
    }

    /** One JDBC call of the ceiling, on a connection of the pool. */
    interface Call {
        void run(Connection c) throws Exception;
    }

    private OpenLoop() {
    }

    /** Sends {@code request()} at {@code rate} per second for {@code duration}, or until {@code go} says stop. */
    static Result http(HttpClient http, int rate, Duration duration, BooleanSupplier go, Supplier<HttpRequest> request, int expected) throws InterruptedException {
        List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<?>> pending = new ArrayList<>();
        AtomicLong failed = new AtomicLong();
        pace(rate, duration, go, due -> pending.add(http.sendAsync(request.get(), HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
            if (e != null || r.statusCode() != expected) {
                failed.incrementAndGet();
            } else {
                samples.add(new Sample(due, System.nanoTime() - due));
            }
        })));
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).exceptionally(e -> null).join();
        return new Result(samples, failed.get());
    }

    /** Runs {@code call} at {@code rate} per second for {@code duration} over {@code connections} JDBC connections. */
    static Result jdbc(int rate, Duration duration, int connections, Call call) throws Exception {
        BlockingQueue<Connection> pool = new ArrayBlockingQueue<>(connections);
        for (int i = 0; i < connections; i++) {
            pool.add(TestDb.connect());
        }
        ExecutorService threads = Executors.newFixedThreadPool(connections);
        List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
        AtomicLong failed = new AtomicLong();
        try {
            pace(rate, duration, () -> true, due -> threads.execute(() -> {
                Connection c = pool.poll();
                try {
                    call.run(c);
                    samples.add(new Sample(due, System.nanoTime() - due));
                } catch (Exception e) {
                    failed.incrementAndGet();
                } finally {
                    pool.add(c);
                }
            }));
        } finally {
            threads.shutdown();
            threads.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
            for (Connection c : pool) {
                c.close();
            }
        }
        return new Result(samples, failed.get());
    }

    /**
     * GETs over {@code connections} keep-alive HTTP/1.1 connections to {@code host:port}, each with its own
     * schedule (rate / connections a second, as wrk2 does): a request waits only for its connection's previous
     * answer, and its latency counts from when it was due. A plain socket client, so that the generator costs
     * little of the machine it shares with the service (Java's HttpClient could not keep a few thousand
     * requests a second due on time here).
     */
    static Result rawGets(String host, int port, int rate, Duration duration, int connections, Supplier<String> path) throws Exception {
        List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
        AtomicLong failed = new AtomicLong();
        long start = System.nanoTime() + 50_000_000L;
        long interval = 1_000_000_000L * connections / rate;
        List<Thread> threads = new ArrayList<>();
        for (int k = 0; k < connections; k++) {
            long offset = interval * k / connections;
            Thread t = new Thread(() -> {
                try (java.net.Socket socket = new java.net.Socket(host, port)) {
                    socket.setTcpNoDelay(true);
                    java.io.OutputStream out = socket.getOutputStream();
                    java.io.InputStream in = new java.io.BufferedInputStream(socket.getInputStream(), 65536);
                    for (long i = 0; ; i++) {
                        long due = start + offset + i * interval;
                        if (due - start > duration.toNanos()) {
                            return;
                        }
                        awaitDue(due);
                        out.write(("GET " + path.get() + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                        out.flush();
                        if (readResponse(in) == 200) {
                            samples.add(new Sample(due, System.nanoTime() - due));
                        } else {
                            failed.incrementAndGet();
                        }
                    }
                } catch (Exception e) {
                    failed.incrementAndGet();
                }
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        return new Result(samples, failed.get());
    }

    /** Reads one response with a Content-Length body; returns its status. */
    private static int readResponse(java.io.InputStream in) throws java.io.IOException {
        StringBuilder head = new StringBuilder();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new java.io.EOFException();
            }
            head.append((char) b);
            matched = (b == '\r' || b == '\n') && "\r\n\r\n".charAt(matched) == b ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String text = head.toString();
        int status = Integer.parseInt(text.substring(9, 12));
        int at = text.toLowerCase(java.util.Locale.ROOT).indexOf("content-length:");
        if (at < 0) {
            throw new java.io.IOException("no Content-Length: " + text);
        }
        int length = Integer.parseInt(text.substring(at + 15, text.indexOf('\r', at)).trim());
        in.readNBytes(length);
        return status;
    }

    /**
     * Parks until {@code due} ({@link System#nanoTime}): to within tens of microseconds, where {@code Thread.sleep}
     * rounds up to whole milliseconds and so would add up to one to every latency.
     */
    private static void awaitDue(long due) throws InterruptedException {
        for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
            java.util.concurrent.locks.LockSupport.parkNanos(wait);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }

    private interface Send {
        void at(long due);
    }

    private static void pace(int rate, Duration duration, BooleanSupplier go, Send send) throws InterruptedException {
        long start = System.nanoTime();
        long interval = 1_000_000_000L / rate;
        long checkEvery = Math.max(1, rate / 4);
        for (long i = 0; ; i++) {
            long due = start + i * interval;
            if (due - start > duration.toNanos() || i % checkEvery == 0 && i > 0 && !go.getAsBoolean()) {
                return;
            }
            awaitDue(due);
            send.at(due);
        }
    }
}
