package io.docshift.support;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Hostile HTTP clients on raw loopback sockets: requests that start and never finish. */
public final class RawClients {

    private RawClients() {
    }

    /** Opens {@code count} connections to {@code port} on loopback, each sending {@code start} and then nothing. */
    public static List<Socket> holding(int count, int port, String start) throws IOException {
        List<Socket> sockets = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
            s.getOutputStream().write(start.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            sockets.add(s);
        }
        return sockets;
    }

    /** Sends {@code head} and {@code body} as they are (the request says Connection: close) and returns the whole answer. */
    public static String exchange(int port, String head, byte[] body) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().write(body);
            s.getOutputStream().flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Whether the server has closed this connection (what it sent before closing is skipped). */
    public static boolean closedByServer(Socket s) {
        try {
            s.setSoTimeout(1);
            InputStream in = s.getInputStream();
            byte[] buffer = new byte[4096];
            while (true) {
                if (in.read(buffer) < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    /** Closes every socket, abruptly (RST): the client went away. */
    public static void abort(List<Socket> sockets) {
        for (Socket s : sockets) {
            try {
                s.setSoLinger(true, 0);
                s.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }

    /** Waits for {@code condition}, checking every 100 ms; fails after {@code timeout}. */
    public static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within " + timeout);
            }
            Thread.sleep(100);
        }
    }
}
