package com.sportswallet.providersim;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.ProviderSignature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A stand-in for the sportsbook provider's bonus API (issue 14), for scripts/up, the tests, loadgen
 * and chaos: the two server-to-server calls an operator makes, shaped after the provider's public
 * partner guide (docs/PROTOCOL.md, "The provider's bonus API"):
 * <ul>
 * <li>{@code POST /bonuses/bonus/applyBatch}: grants each player of {@code playersData} (at most
 * {@link #PLAYERS_PER_CALL_MAX}) one bonus, idempotent by {@code request_id}; answers
 * {@code {"request_id", "items": {id: bonus}, "errors": []}};</li>
 * <li>{@code POST /bonuses/bonus/revokeBatch}: revokes each unused bonus of {@code bonusesIds}; a
 * revoked one answers as it is, a used or unknown one is an error item.</li>
 * </ul>
 * Both are signed as the guide says: header {@code x-sign-jws}, a detached HS256 JWS of the body
 * with the partner secret, and {@code cid} the partner id; otherwise 401. Bonus ids are derived
 * from ({@code request_id}, player) ({@link BonusBook}), so idempotency survives a restart, and
 * with a state file so do the counts. For tests and chaos: {@code POST /control/faults} fails the
 * next calls of an endpoint on demand, before applying them or after (the answer lost);
 * {@code GET /control/stats}, {@code GET /control/bonuses?user_id=}, {@code POST
 * /control/bonuses/{id}/use} (the player bet with it), {@code GET /health}.
 */
public final class ProviderSimulator implements AutoCloseable {
    public static final int PLAYERS_PER_CALL_MAX = 1000;
    /** 1,000 players of about 150 bytes each, with room to spare. */
    static final int BODY_BYTES_MAX = 1 << 20;
    static final int THREADS = 4;
    static final int BACKLOG_MAX = 64;
    public static final String APPLY_PATH = "/bonuses/bonus/applyBatch";
    public static final String REVOKE_PATH = "/bonuses/bonus/revokeBatch";
    public static final String SIGNATURE_HEADER = ProviderSignature.HEADER;

    /** A fault to inject: the next {@code remaining} calls of an endpoint answer {@code status}, after applying when {@code after}. */
    private record Fault(AtomicLong remaining, int status, boolean after) {
    }

    private final ObjectMapper json = new ObjectMapper();
    private final HttpServer server;
    private final ExecutorService pool;
    private final BonusBook book;
    private final String cid;
    private final String secret;
    private final Map<String, Fault> faults = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> failed = new ConcurrentHashMap<>();

    /**
     * Starts listening on {@code host}:{@code port} (0: any free port).
     *
     * @param stateFile where the bonuses are kept across restarts, or null (memory only)
     */
    public ProviderSimulator(String host, int port, String cid, String secret, Path stateFile) throws IOException {
        this.cid = cid;
        this.secret = ProviderSignature.requireSecret(secret);
        if (stateFile != null && stateFile.getParent() != null) {
            Files.createDirectories(stateFile.getParent());
        }
        this.book = new BonusBook(stateFile);
        this.server = HttpServer.create(new InetSocketAddress(host, port), BACKLOG_MAX);
        this.pool = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "provider-sim");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String baseUrl() {
        return "http://" + server.getAddress().getHostString() + ":" + port();
    }

    @Override
    public void close() throws IOException {
        server.stop(0);
        pool.shutdownNow();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        book.close();
    }

    // ------------------------------------------------------------------ requests

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            String path = x.getRequestURI().getPath();
            String method = x.getRequestMethod();
            try {
                if (method.equals("POST") && (path.equals(APPLY_PATH) || path.equals(REVOKE_PATH))) {
                    providerCall(x, path);
                } else if (method.equals("GET") && path.equals("/health")) {
                    send(x, 200, json.createObjectNode().put("status", "UP"));
                } else if (method.equals("GET") && path.equals("/control/stats")) {
                    send(x, 200, stats());
                } else if (method.equals("GET") && path.equals("/control/bonuses")) {
                    send(x, 200, bonuses(query(x, "user_id")));
                } else if (method.equals("POST") && path.startsWith("/control/bonuses/") && path.endsWith("/use")) {
                    BonusBook.Bonus b = book.use(path.substring("/control/bonuses/".length(), path.length() - "/use".length()));
                    send(x, b == null ? 404 : 200, b == null ? error("not_found", "no such bonus") : bonus(b));
                } else if (method.equals("POST") && path.equals("/control/faults")) {
                    fault(readJson(x));
                    x.sendResponseHeaders(204, -1);
                } else {
                    send(x, 404, error("not_found", method + " " + path));
                }
            } catch (BadRequest e) {
                send(x, e.status, error(e.code, e.getMessage()));
            }
        }
    }

    private void providerCall(HttpExchange x, String path) throws IOException, BadRequest {
        String endpoint = path.equals(APPLY_PATH) ? "applyBatch" : "revokeBatch";
        calls.computeIfAbsent(endpoint, e -> new AtomicLong()).incrementAndGet();
        byte[] body = readBody(x);
        verify(x.getRequestHeaders().getFirst(SIGNATURE_HEADER), body);
        JsonNode req = parse(body);
        if (!cid.equals(req.path("cid").asText(null))) {
            throw new BadRequest(401, "unauthorized", "unknown cid");
        }
        Fault f = faults.get(endpoint);
        boolean failNow = f != null && f.remaining().getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
        if (failNow && !f.after()) {
            failed.computeIfAbsent(endpoint, e -> new AtomicLong()).incrementAndGet();
            send(x, f.status(), error("injected", "fault injected before applying"));
            return;
        }
        ObjectNode answer = endpoint.equals("applyBatch") ? apply(req) : revoke(req);
        if (failNow) {
            failed.computeIfAbsent(endpoint, e -> new AtomicLong()).incrementAndGet();
            send(x, f.status(), error("injected", "fault injected after applying: the answer is lost"));
            return;
        }
        send(x, 200, answer);
    }

    private ObjectNode apply(JsonNode req) throws BadRequest {
        String requestId = text(req, "request_id");
        String type = text(req, "bonus_type");
        String expiresAt = req.hasNonNull("expires_at") ? req.get("expires_at").asText() : null;
        JsonNode players = req.get("playersData");
        if (players == null || !players.isArray() || players.isEmpty()) {
            throw new BadRequest(400, "bad_request", "playersData must be a non-empty array");
        }
        if (players.size() > PLAYERS_PER_CALL_MAX) {
            throw new BadRequest(400, "too_many_players", "at most " + PLAYERS_PER_CALL_MAX + " players per call, got " + players.size());
        }
        List<BonusBook.Grant> grants = new ArrayList<>();
        Set<String> users = new HashSet<>();
        for (JsonNode p : players) {
            JsonNode amount = p.get("betAmount");
            if (amount == null || !amount.canConvertToLong() || amount.asLong() <= 0) {
                throw new BadRequest(400, "bad_request", "betAmount must be a positive integer (minor units)");
            }
            String userId = text(p, "userId");
            if (!users.add(userId)) {
                throw new BadRequest(400, "duplicate_player", "player " + userId + " is twice in playersData");
            }
            grants.add(new BonusBook.Grant(userId, amount.asLong(), text(p, "currency")));
        }
        List<BonusBook.Bonus> granted;
        try {
            granted = book.apply(requestId, type, expiresAt, grants);
        } catch (BonusBook.Conflict e) {
            throw new BadRequest(409, "request_conflict", e.getMessage());
        }
        ObjectNode out = json.createObjectNode().put("request_id", requestId);
        ObjectNode items = out.putObject("items");
        granted.forEach(b -> items.set(b.id(), bonus(b)));
        out.putArray("errors");
        return out;
    }

    private ObjectNode revoke(JsonNode req) throws BadRequest {
        JsonNode ids = req.get("bonusesIds");
        if (ids == null || !ids.isArray() || ids.isEmpty() || ids.size() > PLAYERS_PER_CALL_MAX) {
            throw new BadRequest(400, "bad_request", "bonusesIds must be an array of 1.." + PLAYERS_PER_CALL_MAX + " ids");
        }
        List<String> list = new ArrayList<>();
        ids.forEach(i -> list.add(i.asText()));
        ObjectNode out = json.createObjectNode();
        ObjectNode items = out.putObject("items");
        ArrayNode errors = out.putArray("errors");
        for (BonusBook.Revoked r : book.revoke(list)) {
            if (r.error() == null) {
                items.set(r.id(), bonus(r.bonus()));
            } else {
                errors.addObject().put("id", r.id()).put("code", r.error());
            }
        }
        return out;
    }

    private void fault(JsonNode req) throws BadRequest {
        try {
            failNext(text(req, "endpoint"), Math.max(0, req.path("count").asLong(1)), req.path("status").asInt(503),
                    req.path("after").asBoolean(false));
        } catch (IllegalArgumentException e) {
            throw new BadRequest(400, "bad_request", e.getMessage());
        }
    }

    /**
     * What {@code POST /control/faults} does, for a test holding the simulator: the next {@code count} calls of
     * {@code endpoint} (applyBatch or revokeBatch) answer {@code status} (400..599), after applying them when {@code after}.
     */
    public void failNext(String endpoint, long count, int status, boolean after) {
        if (!endpoint.equals("applyBatch") && !endpoint.equals("revokeBatch")) {
            throw new IllegalArgumentException("endpoint is applyBatch or revokeBatch");
        }
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("status must be 400..599");
        }
        faults.put(endpoint, new Fault(new AtomicLong(count), status, after));
    }

    /** What {@code GET /control/stats} answers: bonuses by status, players, requests, calls and failed calls per endpoint. */
    public ObjectNode stats() {
        ObjectNode n = book.stats();
        ObjectNode c = n.putObject("calls");
        calls.forEach((k, v) -> c.put(k, v.get()));
        ObjectNode f = n.putObject("failed_calls");
        failed.forEach((k, v) -> f.put(k, v.get()));
        return n;
    }

    private ObjectNode bonuses(String userId) throws BadRequest {
        if (userId == null || userId.isEmpty()) {
            throw new BadRequest(400, "bad_request", "user_id is required");
        }
        ObjectNode out = json.createObjectNode();
        ArrayNode list = out.putArray("bonuses");
        book.ofUser(userId).forEach(b -> list.add(bonus(b)));
        return out;
    }

    private ObjectNode bonus(BonusBook.Bonus b) {
        ObjectNode n = json.createObjectNode().put("id", b.id()).put("userId", b.userId()).put("type", b.type())
                .put("status", b.status().name().toLowerCase()).put("request_id", b.requestId()).put("toTime", b.expiresAt());
        n.putObject("freebetData").put("betAmount", b.amount()).put("currency", b.currency());
        return n;
    }

    // ------------------------------------------------------------------ plumbing

    /** A refusal with its status and code. */
    private static final class BadRequest extends Exception {
        final int status;
        final String code;

        BadRequest(int status, String code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }
    }

    /** The detached HS256 JWS of the body ({@link ProviderSignature}). */
    private void verify(String detached, byte[] body) throws BadRequest {
        if (detached == null || detached.isBlank()) {
            throw new BadRequest(401, "unauthorized", "no " + SIGNATURE_HEADER + " header");
        }
        if (!ProviderSignature.verify(detached, body, secret)) {
            throw new BadRequest(401, "unauthorized", "the signature does not match the body");
        }
    }

    private static byte[] readBody(HttpExchange x) throws IOException, BadRequest {
        try (InputStream in = x.getRequestBody()) {
            byte[] body = in.readNBytes(BODY_BYTES_MAX + 1);
            if (body.length > BODY_BYTES_MAX) {
                throw new BadRequest(413, "too_large", "the body exceeds " + BODY_BYTES_MAX + " bytes");
            }
            return body;
        }
    }

    private JsonNode readJson(HttpExchange x) throws IOException, BadRequest {
        return parse(readBody(x));
    }

    private JsonNode parse(byte[] body) throws BadRequest {
        try {
            JsonNode n = json.readTree(body);
            if (n == null || !n.isObject()) {
                throw new BadRequest(400, "bad_request", "the body must be a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new BadRequest(400, "bad_request", "the body is not JSON");
        }
    }

    private static String text(JsonNode n, String field) throws BadRequest {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw new BadRequest(400, "bad_request", field + " must be a non-empty string");
        }
        return v.asText();
    }

    private static String query(HttpExchange x, String name) {
        String q = x.getRequestURI().getRawQuery();
        if (q == null) {
            return null;
        }
        for (String part : q.split("&")) {
            int eq = part.indexOf('=');
            if (eq > 0 && part.substring(0, eq).equals(name)) {
                return URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private ObjectNode error(String code, String message) {
        return json.createObjectNode().put("code", code).put("message", message);
    }

    private void send(HttpExchange x, int status, JsonNode body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        x.getResponseHeaders().set("Content-Type", "application/json");
        x.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(bytes);
        }
    }

    // ------------------------------------------------------------------ command line

    /**
     * {@code java -cp ... com.sportswallet.providersim.ProviderSimulator}. Environment (defaults):
     * PROVIDER_SIM_HOST (127.0.0.1), PROVIDER_SIM_PORT (8083), PROVIDER_BONUS_API_CID
     * (demo-operator), PROVIDER_BONUS_API_SECRET (a development secret: set your own anywhere
     * else), PROVIDER_SIM_STATE_FILE (.local/provider-sim/bonuses.jsonl; empty: memory only).
     */
    public static void main(String[] args) throws Exception {
        String host = env("PROVIDER_SIM_HOST", "127.0.0.1");
        int port = Integer.parseInt(env("PROVIDER_SIM_PORT", "8083"));
        String state = env("PROVIDER_SIM_STATE_FILE", ".local/provider-sim/bonuses.jsonl");
        ProviderSimulator sim = new ProviderSimulator(host, port, env("PROVIDER_BONUS_API_CID", "demo-operator"),
                env("PROVIDER_BONUS_API_SECRET", DEV_SECRET), state.isEmpty() ? null : Path.of(state));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                sim.close();
            } catch (IOException e) {
                // exiting anyway
            }
        }));
        System.out.println("provider simulator listening on " + sim.baseUrl() + (state.isEmpty() ? "" : ", state " + state));
        Thread.currentThread().join();
    }

    /** The development partner secret scripts/up and the tests share; never a production one. */
    public static final String DEV_SECRET = "provider-simulator-development-secret-0123456789";

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null ? fallback : v;
    }
}
