package com.sportswallet.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Apache Kafka's own command-line tools (kafka-tools 4.3.1: {@code StreamsResetter},
 * {@code ConsumerGroupCommand}, {@code GetOffsetShell}, ...), each run in a child JVM on the
 * broker's classpath (kafka-runtime/target/kafka.classpath), the way scripts/replay runs them. A
 * child JVM, not a call: the tools need kafka-clients 4.3.1, the services' classpath has the
 * version Quarkus pins.
 */
public final class KafkaTools {
    /** One tool call never takes longer than this. */
    public static final Duration TOOL_TIMEOUT = Duration.ofSeconds(120);
    public static final String STREAMS_RESETTER = "org.apache.kafka.tools.StreamsResetter";

    private KafkaTools() {
    }

    /** A tool's exit status and its output (stdout and stderr together). */
    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** Runs {@code mainClass} with {@code args}; a tool that outlives {@link #TOOL_TIMEOUT} is killed (IllegalStateException). */
    public static Result run(String mainClass, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classpath(), mainClass));
        cmd.addAll(List.of(args));
        try {
            Path out = Files.createTempFile("kafka-tool-", ".out");
            try {
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
                if (!p.waitFor(TOOL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException(mainClass + " did not finish within " + TOOL_TIMEOUT + ": " + read(out));
                }
                return new Result(p.exitValue(), read(out));
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * {@code kafka-streams-application-reset --application-id APP --input-topics TOPIC --to-earliest}: the
     * input offsets to the earliest, the application's internal topics deleted. It refuses (exit 1) while the
     * application has live members, and leaves the local state alone (scripts/replay deletes it).
     */
    public static Result streamsReset(String bootstrap, String applicationId, String inputTopic) {
        return run(STREAMS_RESETTER, "--bootstrap-server", bootstrap, "--application-id", applicationId, "--input-topics", inputTopic,
                "--to-earliest");
    }

    /** A file of this repository (scripts/replay, ...), found from wherever the test runs. */
    public static Path repoFile(String relative) {
        return RepoPaths.find(relative);
    }

    private static String classpath() {
        try {
            return Files.readString(RepoPaths.find("kafka-runtime/target/kafka.classpath")).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}
