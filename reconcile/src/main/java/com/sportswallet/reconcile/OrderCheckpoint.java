package com.sportswallet.reconcile;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where the order checks stopped, so that a periodic run reads only what is new: per topic, per
 * partition the next offset to read, and per player the last record its order was checked on
 * (partition, offset, id, {@code player_seq}, wallet {@code sequence}), against which the first new
 * record is compared: a violation spanning two runs is still caught.
 *
 * <p>It also keeps, per partition, the ids and value hashes of the last
 * {@value #RECENT_IDS_PER_PARTITION} records it remembered, so that a re-send landing after the
 * checkpoint is still a duplicate, not an order violation against its own first copy. A relay
 * whose round dies after its send leaves those rows in the outbox, and the shard's next owner
 * re-sends them before any later row of theirs (docs/ARCHITECTURE.md, "The outbox"): on a
 * partition, what comes between a record and its re-send is the rest of that round (at most
 * OUTBOX_BATCH_SIZE_MAX rows, 500 by default, 10,000 at most) and what other relays' rounds of
 * other shards publish meanwhile. 10,000 covers that with room; a re-send of a record further
 * back would be reported as an order violation (a run without the checkpoint tells the two
 * apart). Such an entry is 76 characters of Base64 on a line: at most about 0.8 MB per partition.
 *
 * <p>A text file, one fact per line, strings URL-encoded; written to a temporary file beside it
 * and moved over it, so a run that dies midway leaves the previous checkpoint whole. Topics this
 * run did not check keep their sections.
 */
final class OrderCheckpoint {
    static final String HEADER = "sportswallet-order-checkpoint 1";
    /** Recent ids kept per partition: the largest batch an outbox relay may send (OutboxRelay.Config: batchSizeMax 1..10000). */
    static final int RECENT_IDS_PER_PARTITION = 10_000;
    private static final String NO_SEQUENCE = "-";

    /** Where one player's order stood: the last record of the player whose order was checked. */
    static final class PlayerState {
        int partition;
        long offset;
        String id;
        long playerSeq;
        /** The last wallet {@code sequence} the player's records carried, or {@link #NONE}. */
        long sequence = NONE;
        /** The offset (on {@link #partition}) of the record that carried {@link #sequence}. */
        long sequenceOffset;
        static final long NONE = Long.MIN_VALUE;
        /** Whether this run read a record of the player (not only the checkpoint). */
        boolean read;
    }

    /** One topic's part of the checkpoint. */
    static final class Section {
        final String topic;
        /** Per partition, the next offset to read. */
        final Map<Integer, Long> next = new TreeMap<>();
        final Map<String, PlayerState> players = new HashMap<>();
        /** Per partition, the last ids remembered, in offset order ({@link SeenIds#entry} form): at most RECENT_IDS_PER_PARTITION. */
        final Map<Integer, Deque<long[]>> recent = new TreeMap<>();

        Section(String topic) {
            this.topic = topic;
        }

        void remember(int partition, long[] entry) {
            Deque<long[]> ids = recent.computeIfAbsent(partition, p -> new ArrayDeque<>());
            if (ids.size() >= RECENT_IDS_PER_PARTITION) {
                ids.pollFirst();
            }
            ids.addLast(entry);
        }
    }

    private OrderCheckpoint() {
    }

    /** The sections of {@code file} by topic; none when it does not exist. */
    static Map<String, Section> read(Path file) throws ReconcileException {
        Map<String, Section> sections = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            return sections;
        }
        int n = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line = in.readLine();
            n++;
            if (!HEADER.equals(line)) {
                throw bad(file, n, "not an order checkpoint (its first line is not '" + HEADER + "')");
            }
            Section section = null;
            while ((line = in.readLine()) != null) {
                n++;
                String[] f = line.split(" ");
                switch (f[0]) {
                    case "topic" -> {
                        need(file, n, f, 2, section == null);
                        section = new Section(decode(f[1]));
                    }
                    case "next" -> {
                        need(file, n, f, 3, section != null);
                        section.next.put(Integer.parseInt(f[1]), Long.parseLong(f[2]));
                    }
                    case "player" -> {
                        need(file, n, f, 8, section != null);
                        PlayerState s = new PlayerState();
                        s.partition = Integer.parseInt(f[2]);
                        s.offset = Long.parseLong(f[3]);
                        s.playerSeq = Long.parseLong(f[4]);
                        if (!NO_SEQUENCE.equals(f[5])) {
                            s.sequence = Long.parseLong(f[5]);
                            s.sequenceOffset = Long.parseLong(f[6]);
                        }
                        s.id = decode(f[7]);
                        section.players.put(decode(f[1]), s);
                    }
                    case "recent" -> {
                        need(file, n, f, 2, section != null);
                        ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder().decode(f[1]));
                        if (b.remaining() != SeenIds.SLOT_BYTES) {
                            throw bad(file, n, "a recent id of " + b.remaining() + " bytes, not " + SeenIds.SLOT_BYTES);
                        }
                        long[] e = new long[SeenIds.SLOT_LONGS];
                        for (int i = 0; i < e.length; i++) {
                            e[i] = b.getLong();
                        }
                        section.remember(SeenIds.partitionOf(e[SeenIds.SLOT_LONGS - 1]), e);
                    }
                    case "end" -> {
                        need(file, n, f, 1, section != null);
                        sections.put(section.topic, section);
                        section = null;
                    }
                    default -> throw bad(file, n, "unknown line '" + f[0] + "'");
                }
            }
            if (section != null) {
                throw bad(file, n, "topic " + section.topic + " has no 'end' line (a file cut short)");
            }
        } catch (IOException e) {
            throw new ReconcileException("cannot read the checkpoint " + file + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) { // NumberFormatException, bad Base64 or URL encoding
            throw bad(file, n, e.getMessage());
        }
        return sections;
    }

    /** Writes {@code sections} to {@code file}, replacing it whole (or not at all). */
    static void write(Path file, Iterable<Section> sections) throws ReconcileException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            if (dir != null) {
                Files.createDirectories(dir);
            }
            tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            try (BufferedWriter out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                out.write(HEADER);
                out.newLine();
                for (Section s : sections) {
                    writeSection(out, s);
                }
            }
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException e) {
            throw new ReconcileException("cannot write the checkpoint " + file + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the error above is what matters
                }
            }
        }
    }

    private static void writeSection(BufferedWriter out, Section s) throws IOException {
        out.write("topic " + encode(s.topic));
        out.newLine();
        for (Map.Entry<Integer, Long> e : s.next.entrySet()) {
            out.write("next " + e.getKey() + " " + e.getValue());
            out.newLine();
        }
        for (Map.Entry<String, PlayerState> e : new TreeMap<>(s.players).entrySet()) {
            PlayerState p = e.getValue();
            String sequence = p.sequence == PlayerState.NONE ? NO_SEQUENCE + " " + NO_SEQUENCE : p.sequence + " " + p.sequenceOffset;
            out.write("player " + encode(e.getKey()) + " " + p.partition + " " + p.offset + " " + p.playerSeq + " " + sequence + " "
                    + encode(p.id));
            out.newLine();
        }
        Base64.Encoder base64 = Base64.getEncoder();
        ByteBuffer b = ByteBuffer.allocate(SeenIds.SLOT_BYTES);
        for (Deque<long[]> ids : s.recent.values()) {
            for (long[] entry : ids) {
                b.clear();
                for (long v : entry) {
                    b.putLong(v);
                }
                out.write("recent " + base64.encodeToString(b.array()));
                out.newLine();
            }
        }
        out.write("end");
        out.newLine();
    }

    private static void need(Path file, int n, String[] fields, int count, boolean inPlace) throws ReconcileException {
        if (fields.length != count) {
            throw bad(file, n, "'" + fields[0] + "' needs " + (count - 1) + " fields, found " + (fields.length - 1));
        }
        if (!inPlace) {
            throw bad(file, n, "'" + fields[0] + "' outside a topic's section, or a section not closed by 'end'");
        }
    }

    private static ReconcileException bad(Path file, int line, String what) {
        return new ReconcileException("checkpoint " + file + " line " + line + ": " + what
                + " (remove the file to read from the beginning)");
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
