package com.sportswallet.providersim;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The provider's side of every bonus it granted: what a sportsbook keeps once an operator's mass
 * grant reached it. A bonus id is derived from ({@code request_id}, player), never drawn, so a
 * repeated request, even after the simulator restarted, answers the same ids: the provider's own
 * idempotency. With a state file every change is appended to it (one JSON line each) and read back
 * at start, so its counts and conflict checks survive a restart too. Thread-safe (one lock: the
 * simulator is a test double, not a throughput target).
 */
final class BonusBook {
    /** A bonus id: 15 decimal digits (below 2^53, exact in any JSON number reader). */
    static final long ID_MODULUS = 1_000_000_000_000_000L;

    enum Status {
        ACTIVE, USED, REVOKED
    }

    /** One granted bonus. */
    record Bonus(String id, String requestId, String userId, String type, long amount, String currency, String expiresAt, Status status) {
        Bonus with(Status s) {
            return new Bonus(id, requestId, userId, type, amount, currency, expiresAt, s);
        }
    }

    /** One player of a grant request. */
    record Grant(String userId, long amount, String currency) {
    }

    /** Why a request cannot be applied as it is. */
    static final class Conflict extends Exception {
        Conflict(String message) {
            super(message);
        }
    }

    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, Bonus> byId = new LinkedHashMap<>();
    /** Per request_id: the ids it granted, in the request's order (a repeat must name the same players, amounts and type). */
    private final Map<String, List<String>> byRequest = new HashMap<>();
    private final Path stateFile;
    private BufferedWriter state;

    BonusBook(Path stateFile) throws IOException {
        this.stateFile = stateFile;
        if (stateFile != null) {
            if (Files.exists(stateFile)) {
                List<String> lines = Files.readAllLines(stateFile, StandardCharsets.UTF_8);
                for (int i = 0; i < lines.size(); i++) {
                    if (lines.get(i).isBlank()) {
                        continue;
                    }
                    JsonNode line;
                    try {
                        line = json.readTree(lines.get(i));
                    } catch (IOException e) {
                        if (i == lines.size() - 1) {
                            // Torn by a crash mid-write (that change was never answered): cut it, so the next line starts clean.
                            Files.write(stateFile, lines.subList(0, i), StandardCharsets.UTF_8);
                            break;
                        }
                        throw e;
                    }
                    replay(line);
                }
            }
            state = Files.newBufferedWriter(stateFile, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }

    /** The id of ({@code requestId}, {@code userId}): the same on every call and every run. */
    static String bonusId(String requestId, String userId) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest((requestId + "\n" + userId).getBytes(StandardCharsets.UTF_8));
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (d[i] & 0xff);
            }
            return Long.toString(Math.floorMod(v, ID_MODULUS));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Grants each player of the request one bonus; a repeated request (same id, same players, types
     * and amounts) answers the bonuses it granted, changing nothing. The same request id with other
     * players or amounts is a conflict, and so is a player twice in one request.
     */
    synchronized List<Bonus> apply(String requestId, String type, String expiresAt, List<Grant> players) throws Conflict {
        Set<String> users = new HashSet<>();
        for (Grant g : players) {
            if (!users.add(g.userId())) {
                throw new Conflict("player " + g.userId() + " is twice in request " + requestId);
            }
        }
        List<String> earlier = byRequest.get(requestId);
        if (earlier != null) {
            List<Bonus> same = earlier.stream().map(byId::get).toList();
            List<Grant> asked = same.stream().map(b -> new Grant(b.userId(), b.amount(), b.currency())).toList();
            if (!asked.equals(players) || !same.stream().allMatch(b -> b.type().equals(type))) {
                throw new Conflict("request " + requestId + " was made before with other players, amounts or type");
            }
            return same;
        }
        List<Bonus> granted = new ArrayList<>();
        for (Grant g : players) {
            String id = bonusId(requestId, g.userId());
            Bonus other = byId.get(id);
            if (other != null) {
                throw new Conflict("bonus id " + id + " of request " + requestId + " and player " + g.userId()
                        + " collides with one granted before (request " + other.requestId() + ")");
            }
            granted.add(new Bonus(id, requestId, g.userId(), type, g.amount(), g.currency(), expiresAt, Status.ACTIVE));
        }
        for (Bonus b : granted) {
            put(b);
        }
        byRequest.put(requestId, granted.stream().map(Bonus::id).toList());
        record("granted", granted);
        return granted;
    }

    /** The outcome of revoking one id: the bonus as it is afterwards, or why not. */
    record Revoked(String id, Bonus bonus, String error) {
    }

    /** Revokes each ACTIVE bonus named; a REVOKED one answers as it is (a repeated revoke); USED or unknown ones are errors. */
    synchronized List<Revoked> revoke(List<String> ids) {
        List<Revoked> out = new ArrayList<>();
        for (String id : ids) {
            Bonus b = byId.get(id);
            if (b == null) {
                out.add(new Revoked(id, null, "not_found"));
            } else if (b.status() == Status.USED) {
                out.add(new Revoked(id, b, "used"));
            } else {
                if (b.status() == Status.ACTIVE) {
                    b = b.with(Status.REVOKED);
                    put(b);
                    record("revoked", List.of(b));
                }
                out.add(new Revoked(id, b, null));
            }
        }
        return out;
    }

    /** Marks an ACTIVE bonus used, as the sportsbook does when the player bets with it (tests of "revoke only unused"). */
    synchronized Bonus use(String id) {
        Bonus b = byId.get(id);
        if (b != null && b.status() == Status.ACTIVE) {
            b = b.with(Status.USED);
            put(b);
            record("used", List.of(b));
        }
        return b;
    }

    synchronized List<Bonus> ofUser(String userId) {
        return byId.values().stream().filter(b -> b.userId().equals(userId)).toList();
    }

    /** Counts: bonuses, by status, distinct players holding one, requests. */
    synchronized ObjectNode stats() {
        ObjectNode n = json.createObjectNode().put("bonuses", byId.size()).put("requests", byRequest.size())
                .put("players", byId.values().stream().map(Bonus::userId).distinct().count());
        ObjectNode byStatus = n.putObject("by_status");
        for (Status s : Status.values()) {
            byStatus.put(s.name().toLowerCase(), byId.values().stream().filter(b -> b.status() == s).count());
        }
        return n;
    }

    synchronized void close() throws IOException {
        if (state != null) {
            state.close();
            state = null;
        }
    }

    private void put(Bonus b) {
        byId.put(b.id(), b);
    }

    // ------------------------------------------------------------------ the state file

    /** One line per change, a whole request's bonuses in one line: a crash tears at most the last line, which start-up skips. */
    private void record(String op, List<Bonus> bonuses) {
        if (state == null) {
            return;
        }
        ObjectNode line = json.createObjectNode().put("op", op);
        var items = line.putArray("bonuses");
        for (Bonus b : bonuses) {
            items.addObject().put("id", b.id()).put("request_id", b.requestId()).put("user_id", b.userId()).put("type", b.type())
                    .put("amount", b.amount()).put("currency", b.currency()).put("expires_at", b.expiresAt());
        }
        try {
            state.write(json.writeValueAsString(line));
            state.newLine();
            state.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("state file " + stateFile, e);
        }
    }

    private void replay(JsonNode line) {
        for (JsonNode item : line.path("bonuses")) {
            Bonus b = new Bonus(item.path("id").asText(), item.path("request_id").asText(), item.path("user_id").asText(),
                    item.path("type").asText(), item.path("amount").asLong(), item.path("currency").asText(),
                    item.path("expires_at").isNull() ? null : item.path("expires_at").asText(null), Status.ACTIVE);
            switch (line.path("op").asText()) {
                case "granted" -> {
                    put(b);
                    byRequest.computeIfAbsent(b.requestId(), r -> new ArrayList<>()).add(b.id());
                }
                case "revoked" -> put(b.with(Status.REVOKED));
                case "used" -> put(b.with(Status.USED));
                default -> throw new IllegalStateException("state file " + stateFile + ": unknown op in " + line);
            }
        }
    }
}
