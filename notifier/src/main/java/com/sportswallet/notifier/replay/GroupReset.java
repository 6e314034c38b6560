package com.sportswallet.notifier.replay;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Consumer-group replays through the Kafka Admin API (kafka-clients only, so it runs on a bare
 * classpath). Nothing here stops or starts processes: {@code scripts/replay} does that. Every
 * change refuses to run while the group has live members (the broker would refuse too).
 * <ul>
 * <li>{@link #plan}/{@link #apply}: move a group's committed offsets to the earliest offset, to the
 * first offset at or after a time, or to an offset (clamped to each partition's range);</li>
 * <li>{@link #resetStreamsApplication}: the full Kafka Streams reset of an application (what
 * {@code kafka-streams-application-reset --to-earliest} does, plus the local state): input topics to
 * earliest, other committed offsets deleted, internal topics ({@code <app>-*-changelog},
 * {@code <app>-*-repartition}) deleted, the local state directory {@code <state.dir>/<app>} deleted.
 * The application then rebuilds its stores from offset 0 instead of adding the records again to
 * the stores it already has.</li>
 * </ul>
 */
public final class GroupReset {
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    static final Duration TOPIC_DELETION_TIMEOUT = Duration.ofSeconds(60);

    private final Admin admin;
    private final PrintStream out;

    public GroupReset(Admin admin, PrintStream out) {
        this.admin = admin;
        this.out = out;
    }

    /** Where to move the offsets. */
    public sealed interface Target {
        String describe();
    }

    public record Earliest() implements Target {
        public String describe() {
            return "--to-earliest";
        }
    }

    public record AtTime(Instant time) implements Target {
        public String describe() {
            return "--to-datetime " + time;
        }
    }

    public record AtOffset(long offset) implements Target {
        public AtOffset {
            if (offset < 0) {
                throw new IllegalArgumentException("offset must be >= 0: " + offset);
            }
        }

        public String describe() {
            return "--to-offset " + offset;
        }
    }

    /** A live member of a group, as describeConsumerGroups reports it. */
    public record Member(String memberId, String clientId, String host, String groupInstanceId, Set<TopicPartition> assignment) {
        @Override
        public String toString() {
            return "member " + memberId + " client.id=" + clientId + " host=" + host
                    + (groupInstanceId == null ? "" : " group.instance.id=" + groupInstanceId)
                    + " partitions=" + assignment.size();
        }
    }

    public record GroupInfo(String groupId, String state, List<Member> members) {
        public boolean empty() {
            return members.isEmpty();
        }
    }

    /** One partition's move: committed offset (null when the group never committed one) to target. */
    public record Move(TopicPartition partition, Long committed, long target, long earliest, long end) {
        /** Records before the committed position that will be read again. */
        public long reRead() {
            return committed == null ? 0 : Math.max(0, committed - target);
        }

        /** Records from the new position to the current end. */
        public long toEnd() {
            return Math.max(0, end - target);
        }
    }

    public record Plan(String groupId, Target target, List<Move> moves) {
        public long reRead() {
            return moves.stream().mapToLong(Move::reRead).sum();
        }

        public long toEnd() {
            return moves.stream().mapToLong(Move::toEnd).sum();
        }

        public Map<TopicPartition, OffsetAndMetadata> offsets() {
            Map<TopicPartition, OffsetAndMetadata> m = new HashMap<>();
            for (Move move : moves) {
                m.put(move.partition(), new OffsetAndMetadata(move.target()));
            }
            return m;
        }
    }

    public GroupInfo describe(String groupId) throws InterruptedException, ExecutionException, TimeoutException {
        ConsumerGroupDescription d;
        try {
            d = admin.describeConsumerGroups(List.of(groupId)).describedGroups().get(groupId)
                    .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return new GroupInfo(groupId, "NONE", List.of());
            }
            throw e;
        }
        List<Member> members = new ArrayList<>();
        for (MemberDescription m : d.members()) {
            members.add(new Member(m.consumerId(), m.clientId(), m.host(), m.groupInstanceId().orElse(null),
                    m.assignment() == null ? Set.of() : m.assignment().topicPartitions()));
        }
        members.sort(Comparator.comparing(Member::clientId).thenComparing(Member::memberId));
        return new GroupInfo(groupId, String.valueOf(d.groupState()), members);
    }

    /** Polls until the group has no live members; false when it still has some after {@code timeout}. */
    public boolean awaitEmpty(String groupId, Duration timeout) throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (describe(groupId).empty()) {
                return true;
            }
            if (System.nanoTime() >= deadline) {
                return false;
            }
            Thread.sleep(500);
        }
    }

    public Map<TopicPartition, Long> committed(String groupId) throws InterruptedException, ExecutionException, TimeoutException {
        Map<TopicPartition, OffsetAndMetadata> raw;
        try {
            raw = admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata()
                    .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return Map.of();
            }
            throw e;
        }
        Map<TopicPartition, Long> m = new HashMap<>();
        raw.forEach((tp, om) -> {
            if (om != null) {
                m.put(tp, om.offset());
            }
        });
        return m;
    }

    /**
     * The moves for {@code topics} (every partition), or, when {@code topics} is empty, for the
     * topics the group has committed offsets on.
     */
    public Plan plan(String groupId, Target target, Collection<String> topics)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<TopicPartition, Long> committed = committed(groupId);
        Set<String> names = new LinkedHashSet<>(topics);
        if (names.isEmpty()) {
            committed.keySet().forEach(tp -> names.add(tp.topic()));
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException("group " + groupId + " has no committed offsets: name the topics to reset (--topic)");
        }
        List<TopicPartition> partitions = new ArrayList<>();
        Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames()
                .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        for (TopicDescription d : described.values()) {
            d.partitions().forEach(p -> partitions.add(new TopicPartition(d.name(), p.partition())));
        }
        partitions.sort(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
        Map<TopicPartition, Long> earliest = offsets(partitions, OffsetSpec.earliest());
        Map<TopicPartition, Long> end = offsets(partitions, OffsetSpec.latest());
        Map<TopicPartition, Long> atTime = target instanceof AtTime t ? offsets(partitions, OffsetSpec.forTimestamp(t.time().toEpochMilli()))
                : Map.of();
        List<Move> moves = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            long lo = earliest.get(tp);
            long hi = end.get(tp);
            Long at = committed.get(tp);
            long wanted;
            if (target instanceof Earliest) {
                wanted = lo;
            } else if (target instanceof AtTime t) {
                Long o = atTime.get(tp);
                boolean noRecordAtOrAfter = o == null || o < 0;
                if (noRecordAtOrAfter && hi > lo && (at == null || at < hi)) {
                    // A datetime after the last record would move the group past records it has not read.
                    throw new IllegalArgumentException(t.describe() + " is after the last record of " + tp + " (end " + hi
                            + "), which group " + groupId + " has not read to the end (at " + at + "): refused, it would skip them");
                }
                wanted = noRecordAtOrAfter ? hi : o;
            } else {
                wanted = ((AtOffset) target).offset();
                if (wanted > hi) {
                    throw new IllegalArgumentException(target.describe() + " is beyond the end of " + tp + " (end " + hi + "): refused");
                }
            }
            moves.add(new Move(tp, at, Math.max(lo, Math.min(hi, wanted)), lo, hi));
        }
        return new Plan(groupId, target, moves);
    }

    public void print(Plan plan) {
        out.printf("replay: group %s %s%n", plan.groupId(), plan.target().describe());
        for (Move m : plan.moves()) {
            out.printf("  %-28s committed %-10s -> %-10d (re-read %d, %d to the end)%n", m.partition(),
                    m.committed() == null ? "none" : m.committed().toString(), m.target(), m.reRead(), m.toEnd());
        }
        out.printf("replay: %d records will be re-read (between the new and the committed positions; offsets, so"
                + " transaction markers count), %d records to read up to the current end%n", plan.reRead(), plan.toEnd());
    }

    /** Moves the offsets; refuses (IllegalStateException, nothing changed) while the group has live members. */
    public void apply(Plan plan) throws InterruptedException, ExecutionException, TimeoutException {
        requireEmpty(plan.groupId());
        admin.alterConsumerGroupOffsets(plan.groupId(), plan.offsets()).all().get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** What a Streams reset did (or, dry, would do). */
    public record StreamsReset(Plan inputs, List<String> internalTopics, Set<TopicPartition> offsetsDeleted, Path stateDirDeleted) {
    }

    /**
     * Full Kafka Streams reset of {@code applicationId} (its consumer group id): see the class
     * comment. {@code stateDir} is the application's {@code state.dir} (null: leave local state
     * alone, e.g. when it lives on another machine).
     */
    public StreamsReset resetStreamsApplication(String applicationId, Collection<String> inputTopics, Path stateDir, boolean dryRun)
            throws InterruptedException, ExecutionException, TimeoutException, IOException {
        if (!dryRun) {
            requireEmpty(applicationId);
        }
        Plan inputs = plan(applicationId, new Earliest(), inputTopics);
        Set<String> inputNames = new HashSet<>(inputTopics);
        Set<TopicPartition> otherOffsets = new HashSet<>();
        for (TopicPartition tp : committed(applicationId).keySet()) {
            if (!inputNames.contains(tp.topic())) {
                otherOffsets.add(tp);
            }
        }
        List<String> internal = internalTopics(applicationId);
        Path localState = stateDir == null ? null : stateDir.resolve(applicationId);
        print(inputs);
        out.printf("replay: internal topics to delete: %s%n", internal.isEmpty() ? "none" : String.join(", ", internal));
        if (!otherOffsets.isEmpty()) {
            out.printf("replay: committed offsets to delete (not input topics): %s%n", otherOffsets);
        }
        out.printf("replay: local state to delete: %s%n", localState == null ? "(not given)" : localState);
        if (dryRun) {
            return new StreamsReset(inputs, internal, otherOffsets, localState);
        }
        requireEmpty(applicationId);
        admin.alterConsumerGroupOffsets(applicationId, inputs.offsets()).all().get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (!otherOffsets.isEmpty()) {
            admin.deleteConsumerGroupOffsets(applicationId, otherOffsets).all().get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        if (!internal.isEmpty()) {
            try {
                admin.deleteTopics(internal).all().get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
            }
            awaitTopicsGone(internal);
        }
        if (localState != null) {
            deleteRecursively(localState);
        }
        out.printf("replay: %s reset: input offsets at the earliest, %d internal topics deleted, local state %s%n",
                applicationId, internal.size(), localState == null ? "kept (not given)" : "deleted");
        return new StreamsReset(inputs, internal, otherOffsets, localState);
    }

    /** The application's internal topics, by the rule kafka-streams-application-reset uses. */
    public List<String> internalTopics(String applicationId) throws InterruptedException, ExecutionException, TimeoutException {
        Set<String> all = admin.listTopics().names().get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        List<String> internal = new ArrayList<>();
        for (String t : all) {
            if (t.startsWith(applicationId + "-") && (t.endsWith("-changelog") || t.endsWith("-repartition"))) {
                internal.add(t);
            }
        }
        internal.sort(null);
        return internal;
    }

    private void awaitTopicsGone(List<String> topics) throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + TOPIC_DELETION_TIMEOUT.toNanos();
        while (true) {
            Set<String> all = admin.listTopics().names().get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (topics.stream().noneMatch(all::contains)) {
                return;
            }
            if (System.nanoTime() >= deadline) {
                throw new TimeoutException("internal topics still listed " + TOPIC_DELETION_TIMEOUT.toSeconds() + "s after deletion");
            }
            Thread.sleep(250);
        }
    }

    private void requireEmpty(String groupId) throws InterruptedException, ExecutionException, TimeoutException {
        GroupInfo g = describe(groupId);
        if (!g.empty()) {
            throw new IllegalStateException("group " + groupId + " has " + g.members().size() + " live members: nothing changed");
        }
    }

    private Map<TopicPartition, Long> offsets(List<TopicPartition> partitions, OffsetSpec spec)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, spec));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> r = admin.listOffsets(request).all()
                .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        Map<TopicPartition, Long> m = new TreeMap<>(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
        r.forEach((tp, info) -> m.put(tp, info.offset()));
        return m;
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
