package com.sportswallet.loadgen;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A minimal HTTP/1.1 client: one keep-alive socket per thread, the request written in one buffer,
 * the answer read by Content-Length (or chunked). Costs a fraction of HttpClient's CPU, which on a
 * small machine competes with the server being measured. The timeout is per read (no byte for that
 * long); after a timeout or an I/O error the socket is dropped and the next request opens a new one.
 */
final class RawTransport implements Transport {
    private static final byte[] CRLF2 = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int CONNECT_TIMEOUT_MS = 5000;
    private static final int BUFFER_BYTES = 16384;

    private final String host;
    private final int port;
    private final String basePath;
    private final int timeoutMs;
    private final Map<String, byte[]> heads = new HashMap<>();
    private final StringBuilder line = new StringBuilder(128);
    private Socket socket;
    private OutputStream out;
    private InputStream in;

    RawTransport(URI base, Duration timeout) {
        if (!"http".equals(base.getScheme())) {
            throw new IllegalArgumentException("--http-client raw speaks plain http only: " + base);
        }
        host = base.getHost();
        port = base.getPort() < 0 ? 80 : base.getPort();
        basePath = base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/+$", "");
        timeoutMs = (int) timeout.toMillis();
    }

    private byte[] head(String path) {
        return heads.computeIfAbsent(path, p -> ("POST " + basePath + p + " HTTP/1.1\r\nHost: " + host + ":" + port
                + "\r\nContent-Type: application/json\r\nContent-Length: ").getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public Reply post(String path, byte[] body) {
        try {
            if (socket == null) {
                socket = new Socket();
                socket.setTcpNoDelay(true);
                socket.connect(new InetSocketAddress(host, port), Math.min(CONNECT_TIMEOUT_MS, timeoutMs));
                socket.setSoTimeout(timeoutMs);
                out = new BufferedOutputStream(socket.getOutputStream(), BUFFER_BYTES);
                in = new BufferedInputStream(socket.getInputStream(), BUFFER_BYTES);
            }
            out.write(head(path));
            out.write(Integer.toString(body.length).getBytes(StandardCharsets.US_ASCII));
            out.write(CRLF2);
            out.write(body);
            out.flush();
            return readResponse();
        } catch (SocketTimeoutException e) {
            close();
            return Reply.failed(TIMEOUT);
        } catch (IOException | RuntimeException e) {
            close();
            return Reply.failed(IO_ERROR);
        }
    }

    private Reply readResponse() throws IOException {
        String statusLine = readLine();
        if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
            throw new IOException("not an HTTP/1.x status line: " + statusLine);
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        boolean closeAfter = statusLine.startsWith("HTTP/1.0");
        for (String h; !(h = readLine()).isEmpty();) {
            int colon = h.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = h.substring(0, colon).trim();
            String value = h.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("content-length")) {
                length = Long.parseLong(value);
            } else if (name.equalsIgnoreCase("transfer-encoding")) {
                chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
            } else if (name.equalsIgnoreCase("connection")) {
                closeAfter = value.equalsIgnoreCase("close");
            }
        }
        byte[] body;
        if (chunked) {
            body = readChunked();
        } else if (length >= 0) {
            body = readExactly((int) length);
        } else {
            body = in.readAllBytes();
            closeAfter = true;
        }
        if (closeAfter) {
            close();
        }
        return new Reply(status, body, null);
    }

    private byte[] readChunked() throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        while (true) {
            String size = readLine();
            int semi = size.indexOf(';');
            int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
            if (n == 0) {
                while (!readLine().isEmpty()) {
                    // trailers
                }
                return all.toByteArray();
            }
            all.write(readExactly(n));
            readLine();
        }
    }

    private byte[] readExactly(int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new EOFException("connection closed in a response body");
        }
        return b;
    }

    private String readLine() throws IOException {
        line.setLength(0);
        for (int c; (c = in.read()) != '\n';) {
            if (c < 0) {
                throw new EOFException("connection closed");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // Closing anyway.
            }
        }
        socket = null;
        out = null;
        in = null;
    }
}
