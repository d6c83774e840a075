package io.docshift.support;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy in front of PostgreSQL that counts round trips per application name: each Sync (the end of an
 * extended-protocol exchange) and each simple Query a client sends is one trip to the server and back. It reads
 * the client's side of the protocol (SSLRequest, StartupMessage, then typed messages) and forwards every byte
 * unchanged both ways.
 */
public final class RoundTripProxy implements AutoCloseable {

    private final ServerSocket server;
    private final int targetPort;
    private final Map<String, AtomicLong> trips = new ConcurrentHashMap<>();

    public RoundTripProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::accept, "round-trip-proxy");
        accept.setDaemon(true);
        accept.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Round trips so far by connections that gave {@code applicationName} at startup. */
    public long trips(String applicationName) {
        AtomicLong n = trips.get(applicationName);
        return n == null ? 0 : n.get();
    }

    /** Round trips so far by application name, for a failure's message. */
    @Override
    public String toString() {
        return "round trips by application name: " + trips;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                daemon(() -> clientToServer(client, upstream));
                daemon(() -> copy(upstream, client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void daemon(Runnable r) {
        Thread t = new Thread(r, "round-trip-proxy-pipe");
        t.setDaemon(true);
        t.start();
    }

    private void clientToServer(Socket client, Socket upstream) {
        try (client; upstream) {
            DataInputStream in = new DataInputStream(client.getInputStream());
            OutputStream out = upstream.getOutputStream();
            String name = "";
            // untyped messages first: SSLRequest or GSSENCRequest (answered with one byte), then StartupMessage
            while (true) {
                int length = in.readInt();
                byte[] body = new byte[length - 4];
                in.readFully(body);
                out.write(new byte[]{(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length});
                out.write(body);
                out.flush();
                int code = ((body[0] & 0xff) << 24) | ((body[1] & 0xff) << 16) | ((body[2] & 0xff) << 8) | (body[3] & 0xff);
                if (code == 196608) { // protocol 3.0: the StartupMessage
                    name = parameter(body, "application_name");
                    break;
                }
            }
            AtomicLong count = trips.computeIfAbsent(name, k -> new AtomicLong());
            while (true) {
                int type = in.read();
                if (type < 0) {
                    return;
                }
                int length = in.readInt();
                byte[] body = new byte[length - 4];
                in.readFully(body);
                if (type == 'S' || type == 'Q') {
                    count.incrementAndGet();
                }
                out.write(type);
                out.write(new byte[]{(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length});
                out.write(body);
                out.flush();
            }
        } catch (EOFException e) {
            // the client left
        } catch (IOException e) {
            // either side closed
        }
    }

    private static String parameter(byte[] startup, String key) {
        String[] parts = new String(startup, 4, startup.length - 4, StandardCharsets.UTF_8).split("\0");
        for (int i = 0; i + 1 < parts.length; i += 2) {
            if (parts[i].equals(key)) {
                return parts[i + 1];
            }
        }
        return "";
    }

    private static void copy(Socket from, Socket to) {
        try (from; to) {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] buffer = new byte[16384];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // either side closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
