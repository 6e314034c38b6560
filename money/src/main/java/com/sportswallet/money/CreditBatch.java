package com.sportswallet.money;

import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.CreditCommand;
import com.sportswallet.contracts.Topics;
import com.sportswallet.contracts.event.CreditApplied;
import com.sportswallet.contracts.event.Position;
import com.sportswallet.outbox.Outbox;

/**
 * Applies a batch of credit commands in the caller's transaction, with set-based statements
 * (arrays, one round trip each, whatever the batch size):
 * <ol>
 * <li>lock the batch's credits whose row agrees with the command (wallet, amount) in credit-id
 * order, and flip PENDING -> APPLIED, returning only the rows this statement flipped: that flip IS the
 * idempotency check (an APPLIED or CANCELLED credit is skipped, a re-delivery or replay is harmless);</li>
 * <li>lock the affected wallets in wallet-id order, then move each wallet's summed credits from
 * {@code pending} to {@code balance} and bump
 * its version and its {@code player_seq} by its number of entries (one wallet.events record each);</li>
 * <li>one ledger entry per credit, with its own balance_after and sequence;</li>
 * <li>one {@code wallet.credit.applied} outbox row per credit, each with its own player_seq:
 * consecutive per wallet, in the batch's order, inserted after the wallet update.</li>
 * </ol>
 * Commands not flipped are looked up: APPLIED or CANCELLED means skipped; a missing row or one
 * that disagrees with the command is poison. Never commits.
 */
public final class CreditBatch {
    static final URI SOURCE = URI.create("/wallet/settlement-worker");

    // Every statement is a file under sql/ (NamedSql), the same text scripts/bench-drain runs. Lock order
    // (DESIGN.md): the credit rows first, in credit-id order, by each flip's locking SELECT; then the
    // wallets in id order (WALLET_LOCK); then the updates.
    private static final NamedSql FLIP_COMMANDED = NamedSql.load("credit-flip-commanded");
    private static final NamedSql FLIP_WALLET = NamedSql.load("credit-flip-wallet");
    private static final NamedSql FLIP_IDS = NamedSql.load("credit-flip-ids");
    private static final NamedSql LOOKUP = NamedSql.load("credit-lookup");
    private static final NamedSql WALLET_LOCK = NamedSql.load("wallet-lock");
    private static final NamedSql APPLY = NamedSql.load("credit-apply");
    private static final NamedSql LEDGER = NamedSql.load("ledger-credits");
    private static final NamedSql OUTBOX_APPEND_ALL = NamedSql.load("outbox-append-all");

    /** A credit this batch applied: its ledger position, its event's player_seq and when the ingress decided it. */
    public record Applied(String creditId, long walletId, String playerId, String betId, String kind, long amount,
            long balanceAfter, long sequence, long playerSeq, String currency, OffsetDateTime decidedAt) {
    }

    /** A command that can never be applied, and why. */
    public record Poison(CreditCommand command, String reason) {
    }

    public record Result(List<Applied> applied, int skipped, List<Poison> poison) {
    }

    private CreditBatch() {
    }

    public static Result apply(Connection c, List<CreditCommand> commands) throws SQLException {
        Map<String, CreditCommand> byId = new LinkedHashMap<>();
        for (CreditCommand cmd : commands) {
            byId.putIfAbsent(cmd.creditId(), cmd);
        }
        List<Flipped> flipped = flip(c, byId.values());
        // RETURNING comes in the join's order: back to the batch's order, which fixes each wallet's
        // ledger versions and player_seq values (a player's commands arrive in decision order).
        Map<String, Integer> position = new HashMap<>();
        for (String id : byId.keySet()) {
            position.put(id, position.size());
        }
        flipped.sort(java.util.Comparator.comparingInt(f -> position.get(f.id)));
        Set<String> flippedIds = new HashSet<>();
        flipped.forEach(f -> flippedIds.add(f.id));

        int skipped = commands.size() - byId.size(); // duplicates inside the batch
        List<Poison> poison = new ArrayList<>();
        List<CreditCommand> notFlipped = byId.values().stream().filter(cmd -> !flippedIds.contains(cmd.creditId())).toList();
        if (!notFlipped.isEmpty()) {
            Map<String, CreditRow> rows = lookup(c, notFlipped);
            for (CreditCommand cmd : notFlipped) {
                CreditRow row = rows.get(cmd.creditId());
                if (row == null) {
                    poison.add(new Poison(cmd, "no credit row " + cmd.creditId()));
                } else if (row.walletId() != cmd.walletId() || row.amount() != cmd.amount()) {
                    poison.add(new Poison(cmd, "command disagrees with credit " + cmd.creditId() + " (wallet " + row.walletId() + ", amount "
                            + row.amount() + ")"));
                } else {
                    skipped++; // APPLIED or CANCELLED already: the idempotent case.
                }
            }
        }
        return new Result(applyToWallets(c, flipped), skipped, poison);
    }

    private record Flipped(String id, long walletId, long amount, String playerId, String betId, String kind, OffsetDateTime createdAt) {
    }

    private static List<Flipped> flip(Connection c, java.util.Collection<CreditCommand> commands) throws SQLException {
        List<Flipped> flipped = new ArrayList<>();
        try (NamedSql.Bound s = FLIP_COMMANDED.prepare(c)) {
            s.setArray("credit_ids", "text", commands.stream().map(CreditCommand::creditId).toArray())
                    .setArray("wallet_ids", "bigint", commands.stream().map(CreditCommand::walletId).toArray())
                    .setArray("amounts", "bigint", commands.stream().map(CreditCommand::amount).toArray());
            readFlipped(s.statement(), flipped);
        }
        return flipped;
    }

    private static void readFlipped(PreparedStatement ps, List<Flipped> into) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                into.add(new Flipped(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getString(4), rs.getString(5),
                        rs.getString(6), rs.getObject(7, OffsetDateTime.class)));
            }
        }
    }

    /**
     * Applies PENDING credits this transaction already locked (in credit-id order), as the worker
     * would; see {@link #applyPendingOf}.
     */
    public static List<Applied> applyLocked(Connection c, List<String> creditIds) throws SQLException {
        if (creditIds.isEmpty()) {
            return List.of();
        }
        List<Flipped> flipped = new ArrayList<>();
        try (NamedSql.Bound s = FLIP_IDS.prepare(c)) {
            readFlipped(s.setArray("credit_ids", "text", creditIds.toArray()).statement(), flipped);
        }
        return applyInIdOrder(c, flipped);
    }

    /** Applies credits a request flipped, their ledger entries and events in credit-id order (the order they were locked in). */
    private static List<Applied> applyInIdOrder(Connection c, List<Flipped> flipped) throws SQLException {
        flipped.sort(java.util.Comparator.comparing(Flipped::id));
        return applyToWallets(c, flipped);
    }

    /**
     * Applies the wallet's PENDING credits, at most {@code flipMax}, in credit-id order, exactly as
     * the worker would (the same flip, ledger entries, {@code wallet.credit.applied} events with
     * the same stable ids and consecutive player_seq values): a make, a withdrawal or a rollback
     * spending pending money calls it before its own wallet statement. Locks those credit rows,
     * then the wallet row; the worker later finds them APPLIED and skips them. Never commits.
     *
     * @return the credits applied, in the order of their ledger entries (empty when none was pending)
     */
    public static List<Applied> applyPendingOf(Connection c, long walletId, int flipMax) throws SQLException {
        List<Flipped> flipped = new ArrayList<>();
        try (NamedSql.Bound s = FLIP_WALLET.prepare(c)) {
            readFlipped(s.set("wallet_id", walletId).set("flip_max", flipMax).statement(), flipped);
        }
        return applyInIdOrder(c, flipped);
    }

    /** A credit row as the lookup of commands not flipped reads it. */
    private record CreditRow(long walletId, long amount, String status) {
    }

    private static Map<String, CreditRow> lookup(Connection c, List<CreditCommand> commands) throws SQLException {
        Map<String, CreditRow> rows = new HashMap<>();
        try (NamedSql.Bound s = LOOKUP.prepare(c)) {
            s.setArray("credit_ids", "text", commands.stream().map(CreditCommand::creditId).toArray());
            try (ResultSet rs = s.statement().executeQuery()) {
                while (rs.next()) {
                    rows.put(rs.getString(1), new CreditRow(rs.getLong(2), rs.getLong(3), rs.getString(4)));
                }
            }
        }
        return rows;
    }

    private static List<Applied> applyToWallets(Connection c, List<Flipped> flipped) throws SQLException {
        if (flipped.isEmpty()) {
            return List.of();
        }
        // Per wallet, in wallet-id order: the summed delta and the number of entries.
        TreeMap<Long, List<Flipped>> byWallet = new TreeMap<>();
        flipped.forEach(f -> byWallet.computeIfAbsent(f.walletId, k -> new ArrayList<>()).add(f));
        Long[] walletIds = byWallet.keySet().toArray(Long[]::new);
        try (NamedSql.Bound s = WALLET_LOCK.prepare(c)) {
            s.setArray("wallet_ids", "bigint", walletIds).statement().executeQuery().close();
        }
        Map<Long, long[]> after = new HashMap<>(); // wallet id -> {balance, version, player_seq}
        Map<Long, String> currencies = new HashMap<>();
        try (NamedSql.Bound s = APPLY.prepare(c)) {
            s.setArray("wallet_ids", "bigint", walletIds)
                    .setArray("deltas", "bigint", byWallet.values().stream().map(l -> l.stream().mapToLong(Flipped::amount).sum()).toArray())
                    .setArray("entries", "bigint", byWallet.values().stream().map(l -> (long) l.size()).toArray());
            try (ResultSet rs = s.statement().executeQuery()) {
                while (rs.next()) {
                    after.put(rs.getLong(1), new long[] { rs.getLong(2), rs.getLong(3), rs.getLong(5) });
                    currencies.put(rs.getLong(1), rs.getString(4));
                }
            }
        }
        if (after.size() != walletIds.length) {
            throw new IllegalStateException("credits name wallets that do not exist: " + byWallet.keySet() + " vs " + after.keySet());
        }
        // Replay each wallet's entries forward from its balance, version and player_seq before this batch.
        List<Applied> applied = new ArrayList<>();
        for (Map.Entry<Long, List<Flipped>> e : byWallet.entrySet()) {
            long[] end = after.get(e.getKey());
            long balance = end[0] - e.getValue().stream().mapToLong(Flipped::amount).sum();
            long version = end[1] - e.getValue().size();
            long playerSeq = end[2] - e.getValue().size();
            for (Flipped f : e.getValue()) {
                balance += f.amount;
                version += 1;
                playerSeq += 1;
                applied.add(new Applied(f.id, f.walletId, f.playerId, f.betId, f.kind, f.amount, balance, version, playerSeq,
                        currencies.get(e.getKey()), f.createdAt));
            }
            if (balance != end[0] || version != end[1] || playerSeq != end[2]) {
                throw new IllegalStateException("wallet " + e.getKey() + " does not add up after the batch");
            }
        }
        try (NamedSql.Bound s = LEDGER.prepare(c)) {
            s.setArray("wallet_ids", "bigint", applied.stream().map(Applied::walletId).toArray())
                    .setArray("amounts", "bigint", applied.stream().map(Applied::amount).toArray())
                    .setArray("balances_after", "bigint", applied.stream().map(Applied::balanceAfter).toArray())
                    .setArray("versions", "bigint", applied.stream().map(Applied::sequence).toArray())
                    .setArray("idempotency_keys", "text", applied.stream().map(a -> "credit:" + a.creditId()).toArray())
                    .statement().executeUpdate();
        }
        Instant now = Instant.now();
        List<Outbox.Row> events = new ArrayList<>();
        for (Applied a : applied) {
            CreditApplied fact = CreditApplied.of(a.playerId(), a.currency(), a.amount(), now, a.betId(), a.creditId(), a.kind(),
                    a.decidedAt().toInstant());
            String eventId = CloudEventJson.stableId(fact.type(), a.creditId());
            events.add(new Outbox.Row(Topics.WALLET_EVENTS, a.playerId(), eventId, CloudEventJson.serialize(eventId, fact.type(), SOURCE,
                    a.playerId(), now, Position.settled(a.playerSeq(), a.balanceAfter(), a.sequence()).writeTo(fact.data()))));
        }
        try (NamedSql.Bound s = OUTBOX_APPEND_ALL.prepare(c)) {
            s.setArray("topics", "text", events.stream().map(Outbox.Row::topic).toArray())
                    .setArray("msg_keys", "text", events.stream().map(Outbox.Row::key).toArray())
                    .setArray("event_ids", "text", events.stream().map(Outbox.Row::eventId).toArray())
                    .setArray("payloads", "text", events.stream().map(Outbox.Row::payload).toArray())
                    .statement().executeUpdate();
        }
        return applied;
    }
}
