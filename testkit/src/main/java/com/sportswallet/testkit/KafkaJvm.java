package com.sportswallet.testkit;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How the tests launch Kafka 4.3.1 JVMs from the jars kafka-runtime resolved: the classpath, the
 * command line (every child under {@link ParentWatchdog}, so none outlives the test JVM), and the
 * storage format. Shared by the single broker ({@link KafkaBroker}) and the cluster ({@link KafkaCluster}).
 */
final class KafkaJvm {
    /** One storage format (a JVM start and a few files) on a loaded 2-core machine. */
    static final long FORMAT_TIMEOUT_SECONDS = 120;

    private KafkaJvm() {
    }

    /** The broker's jars plus this module's classes (ParentWatchdog). */
    static String classpath() throws IOException {
        Path cpFile = RepoPaths.find("kafka-runtime/target/kafka.classpath");
        try {
            String ownLocation = Path.of(ParentWatchdog.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
            return Files.readString(cpFile).trim() + java.io.File.pathSeparator + ownLocation;
        } catch (URISyntaxException e) {
            throw new IOException("cannot locate the testkit's classes", e);
        }
    }

    static List<String> command(String classpath, String mainClass, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xms128m");
        cmd.add("-Xmx512m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Dlog4j2.level=WARN");
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(ParentWatchdog.class.getName());
        cmd.add(Long.toString(ProcessHandle.current().pid()));
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Starts {@code kafka.tools.StorageTool format} for one node; {@link #awaitFormat} waits for it. */
    static Process startFormat(String classpath, Path properties, String clusterId, Path log, String... extraArgs) throws IOException {
        List<String> args = new ArrayList<>(List.of("format", "-t", clusterId, "-c", properties.toString()));
        args.addAll(List.of(extraArgs));
        return new ProcessBuilder(command(classpath, "kafka.tools.StorageTool", args.toArray(String[]::new)))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    static void awaitFormat(Process p, Path log) throws IOException {
        try {
            if (!p.waitFor(FORMAT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("kafka storage format took longer than " + FORMAT_TIMEOUT_SECONDS + " s: "
                        + Files.readString(log));
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("kafka storage format failed: " + Files.readString(log));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sleeps between readiness polls; an interrupt ends the wait with an exception, the flag kept. */
    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
