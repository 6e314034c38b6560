package com.sportswallet.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * Waits, bounded, until topics a test has just created are served: every partition has a leader
 * and that leader answers for it. {@code createTopics} returns once the controller committed the
 * topic; the broker learns it a moment later, and in between a partition may have no leader, or a
 * leader in the metadata that does not host it yet. A producer's first send then got
 * NotLeaderOrFollower and, on a loaded test broker, its batch expired (CreditRedriveTest in CI,
 * even with a 60 s delivery timeout). A test that sends to a topic it created waits here first.
 */
public final class TopicsReady {
    /** How long a test waits for its new topics, unless it says otherwise. */
    public static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** How long one question to the broker (describe, list offsets) may take within the wait. */
    static final Duration CALL_TIMEOUT_MAX = Duration.ofSeconds(5);
    /** The pause between two questions. */
    static final Duration RETRY_INTERVAL = Duration.ofMillis(100);

    private TopicsReady() {
    }

    /** {@link #await(Admin, Collection, Duration)} with {@link #TIMEOUT}. */
    public static void await(Admin admin, Collection<String> topics) throws InterruptedException {
        await(admin, topics, TIMEOUT);
    }

    /**
     * Returns once {@code describeTopics} shows a leader for every partition of every topic and the
     * leaders answer a list-offsets request for each (the request a broker refuses with
     * NotLeaderOrFollower until it hosts the partition). Fails the test (AssertionError) naming the
     * topics and the last thing that was missing when they were not ready within {@code timeout}.
     */
    public static void await(Admin admin, Collection<String> topics, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String missing;
        while (true) {
            missing = missing(admin, topics, Math.max(1, Math.min(CALL_TIMEOUT_MAX.toMillis(), (deadline - System.nanoTime()) / 1_000_000)));
            if (missing == null) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("topics " + topics + " not ready within " + timeout + ": " + missing);
            }
            Thread.sleep(RETRY_INTERVAL.toMillis());
        }
    }

    /** What keeps the topics from being served, or null when nothing does. */
    private static String missing(Admin admin, Collection<String> topics, long callTimeoutMs) throws InterruptedException {
        // The same bound on the admin call itself, so no call outlives the wait retrying in the background.
        int callTimeout = (int) callTimeoutMs;
        Map<String, TopicDescription> described;
        try {
            described = admin.describeTopics(topics, new DescribeTopicsOptions().timeoutMs(callTimeout)).allTopicNames()
                    .get(callTimeoutMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return "describeTopics failed: " + reason(e);
        }
        Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
        List<String> leaderless = new ArrayList<>();
        for (TopicDescription d : described.values()) {
            for (TopicPartitionInfo p : d.partitions()) {
                TopicPartition tp = new TopicPartition(d.name(), p.partition());
                if (p.leader() == null || p.leader().isEmpty()) {
                    leaderless.add(tp.toString());
                }
                partitions.put(tp, OffsetSpec.latest());
            }
        }
        if (!leaderless.isEmpty()) {
            return "no leader for " + leaderless;
        }
        try {
            admin.listOffsets(partitions, new ListOffsetsOptions().timeoutMs(callTimeout)).all().get(callTimeoutMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return "the leaders do not serve every partition yet (listOffsets: " + reason(e) + ")";
        }
        return null;
    }

    private static String reason(Exception e) {
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }
}
