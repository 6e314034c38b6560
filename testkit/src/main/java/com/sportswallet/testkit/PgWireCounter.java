package com.sportswallet.testkit;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy between a JDBC client and PostgreSQL that counts the transaction-control commands
 * the client sends (BEGIN, COMMIT, ROLLBACK), so a test can prove that one HTTP request issues
 * exactly one COMMIT. Bytes are forwarded unchanged; only the client-to-server direction of the
 * v3 wire protocol is parsed.
 *
 * <p>A command counts when the server is asked to run it: a simple query ('Q') whose text is
 * the command, or an Execute ('E') of a portal bound ('B') to a statement whose Parse ('P') text
 * was the command. Counting on Parse alone would miss most COMMITs: pgjdbc 42.7 sends BEGIN as a
 * simple query, but {@code commit()}/{@code rollback()} as extended-protocol statements, and with
 * the default {@code prepareThreshold} it parses COMMIT as a named server-side statement on the
 * first {@code commit()} of a connection and afterwards only binds and executes that name, with
 * no text on the wire. With {@code prepareThreshold=0} every COMMIT carries its text in an
 * unnamed Parse. Both are counted exactly, so {@code prepareThreshold=0} is optional; the proxied
 * URL should add {@code sslmode=disable}, since an encrypted session cannot be read (it is
 * forwarded but not counted, see {@link #encryptedConnections()}).
 */
public final class PgWireCounter implements AutoCloseable {
    private static final int SSL_REQUEST = 80877103;
    private static final int GSSENC_REQUEST = 80877104;
    // A startup message is a few hundred bytes; anything outside this is not the v3 protocol
    // (e.g. a direct TLS ClientHello), and the connection is then forwarded without parsing.
    private static final int MAX_STARTUP_BYTES = 10_000;
    private static final int COPY_CHUNK_BYTES = 8192;

    private final String targetHost;
    private final int targetPort;
    private final ServerSocket server;
    private final Set<Socket> live = ConcurrentHashMap.newKeySet();
    private final AtomicLong begins = new AtomicLong();
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong rollbacks = new AtomicLong();
    private final AtomicLong encrypted = new AtomicLong();
    private volatile boolean down;

    private PgWireCounter(String targetHost, int targetPort, ServerSocket server) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.server = server;
    }

    /** Listens on 127.0.0.1 on a free port and forwards every connection to the target. */
    public static PgWireCounter start(String targetHost, int targetPort) {
        try {
            ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            PgWireCounter counter = new PgWireCounter(targetHost, targetPort, server);
            daemon("pg-wire-counter-accept", counter::acceptLoop);
            return counter;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    public long begins() {
        return begins.get();
    }

    public long commits() {
        return commits.get();
    }

    public long rollbacks() {
        return rollbacks.get();
    }

    /** Connections that switched to TLS or GSS encryption: forwarded, but nothing in them is counted. */
    public long encryptedConnections() {
        return encrypted.get();
    }

    /**
     * Simulates the database going away (true): every live connection is cut and new ones are
     * closed at once, as a client sees a crashed or unreachable server. False lets them in again.
     */
    public void setDown(boolean down) {
        this.down = down;
        if (down) {
            for (Socket s : live) {
                closeQuietly(s);
            }
            live.clear();
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // Closing anyway.
        }
        for (Socket s : live) {
            closeQuietly(s);
        }
        live.clear();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (down) {
                closeQuietly(client);
                continue;
            }
            live.add(client);
            daemon("pg-wire-counter-conn", () -> serve(client));
        }
    }

    private void serve(Socket client) {
        Socket upstream = null;
        try {
            upstream = new Socket(targetHost, targetPort);
            live.add(upstream);
            client.setTcpNoDelay(true);
            upstream.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(new BufferedInputStream(client.getInputStream()));
            OutputStream toServer = new BufferedOutputStream(upstream.getOutputStream());
            InputStream fromServer = upstream.getInputStream();
            OutputStream toClient = client.getOutputStream();
            boolean readable = startup(in, toServer, fromServer, toClient);
            Socket up = upstream;
            daemon("pg-wire-counter-s2c", () -> pipe(fromServer, toClient, client, up));
            if (readable) {
                new Session(in, toServer).run();
            } else {
                pipe(in, toServer, client, upstream);
            }
        } catch (IOException e) {
            // The client or the server went away; nothing to count any more.
        } finally {
            closeQuietly(client);
            if (upstream != null) {
                closeQuietly(upstream);
            }
        }
    }

    /**
     * Forwards the untyped startup messages. Returns false when the rest of the connection
     * cannot be parsed (encryption accepted, or not the v3 protocol).
     */
    private boolean startup(DataInputStream in, OutputStream toServer, InputStream fromServer, OutputStream toClient)
            throws IOException {
        while (true) {
            int length = in.readInt();
            if (length < 8 || length > MAX_STARTUP_BYTES) {
                new DataOutputStream(toServer).writeInt(length);
                toServer.flush();
                return false;
            }
            int code = in.readInt();
            DataOutputStream out = new DataOutputStream(toServer);
            out.writeInt(length);
            out.writeInt(code);
            copy(in, toServer, length - 8);
            toServer.flush();
            if (code != SSL_REQUEST && code != GSSENC_REQUEST) {
                return true;
            }
            // The server answers one byte: 'S'/'G' to go encrypted, 'N' for "send the startup in clear".
            int answer = fromServer.read();
            if (answer < 0) {
                throw new EOFException("server closed during encryption negotiation");
            }
            toClient.write(answer);
            toClient.flush();
            if (answer != 'N') {
                encrypted.incrementAndGet();
                return false;
            }
        }
    }

    /** Parses the typed messages of one client connection and counts transaction control. */
    private final class Session {
        private final DataInputStream in;
        private final OutputStream toServer;
        private final DataOutputStream header;
        // Statement and portal names to the SQL text they were parsed from ("" is the unnamed one).
        private final Map<String, String> statements = new HashMap<>();
        private final Map<String, String> portals = new HashMap<>();

        Session(DataInputStream in, OutputStream toServer) {
            this.in = in;
            this.toServer = toServer;
            this.header = new DataOutputStream(toServer);
        }

        void run() throws IOException {
            while (true) {
                int type = in.read();
                if (type < 0) {
                    return;
                }
                int length = in.readInt();
                header.writeByte(type);
                header.writeInt(length);
                if (length < 4) {
                    throw new IOException("malformed message length " + length);
                }
                if (type == 'Q' || type == 'P' || type == 'B' || type == 'E' || type == 'C') {
                    byte[] body = new byte[length - 4];
                    in.readFully(body);
                    toServer.write(body);
                    inspect(type, body);
                } else {
                    copy(in, toServer, length - 4);
                }
                // Batch the messages that already arrived; flush before waiting for more.
                if (in.available() == 0) {
                    toServer.flush();
                }
            }
        }

        private void inspect(int type, byte[] body) {
            int[] pos = {0};
            switch (type) {
                case 'Q' -> count(cstring(body, pos));
                case 'P' -> {
                    String name = cstring(body, pos);
                    statements.put(name, cstring(body, pos));
                }
                case 'B' -> {
                    String portal = cstring(body, pos);
                    portals.put(portal, statements.get(cstring(body, pos)));
                }
                case 'E' -> count(portals.get(cstring(body, pos)));
                case 'C' -> {
                    int kind = body.length > 0 ? body[0] : 0;
                    pos[0] = 1;
                    String name = cstring(body, pos);
                    (kind == 'S' ? statements : portals).remove(name);
                }
                default -> {
                }
            }
        }
    }

    private void count(String sql) {
        if (sql == null) {
            return;
        }
        String s = sql.trim();
        while (s.endsWith(";")) {
            s = s.substring(0, s.length() - 1).trim();
        }
        s = s.replaceAll("\\s+", " ").toUpperCase(Locale.ROOT);
        switch (s) {
            case "BEGIN", "BEGIN WORK", "BEGIN TRANSACTION", "START TRANSACTION" -> begins.incrementAndGet();
            case "COMMIT", "COMMIT WORK", "COMMIT TRANSACTION", "END", "END WORK", "END TRANSACTION" -> commits.incrementAndGet();
            case "ROLLBACK", "ROLLBACK WORK", "ROLLBACK TRANSACTION", "ABORT", "ABORT WORK", "ABORT TRANSACTION" ->
                    rollbacks.incrementAndGet();
            default -> {
                // BEGIN/START TRANSACTION with modes (e.g. pgjdbc's "BEGIN READ ONLY") still begin one.
                if (s.startsWith("BEGIN ") || s.startsWith("START TRANSACTION ")) {
                    begins.incrementAndGet();
                }
            }
        }
    }

    /** Reads a NUL-terminated string at pos[0] and moves pos past the NUL; null if there is none. */
    private static String cstring(byte[] body, int[] pos) {
        int start = pos[0];
        for (int i = start; i < body.length; i++) {
            if (body[i] == 0) {
                pos[0] = i + 1;
                return new String(body, start, i - start, StandardCharsets.UTF_8);
            }
        }
        pos[0] = body.length;
        return null;
    }

    private static void copy(InputStream in, OutputStream out, int bytes) throws IOException {
        byte[] buf = new byte[Math.min(bytes, COPY_CHUNK_BYTES)];
        int left = bytes;
        while (left > 0) {
            int n = in.read(buf, 0, Math.min(left, buf.length));
            if (n < 0) {
                throw new EOFException();
            }
            out.write(buf, 0, n);
            left -= n;
        }
    }

    private void pipe(InputStream from, OutputStream to, Socket a, Socket b) {
        byte[] buf = new byte[COPY_CHUNK_BYTES];
        try {
            int n;
            while ((n = from.read(buf)) >= 0) {
                to.write(buf, 0, n);
                to.flush();
            }
        } catch (IOException e) {
            // One side went away.
        } finally {
            closeQuietly(a);
            closeQuietly(b);
        }
    }

    private void closeQuietly(Socket s) {
        live.remove(s);
        try {
            s.close();
        } catch (IOException ignored) {
            // Closing anyway.
        }
    }

    private static void daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
    }
}
