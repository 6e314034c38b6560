package com.sportswallet.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.jboss.logging.Logger;

/**
 * A real Apache Kafka 4.3.1 single-node KRaft broker in a child JVM, from the jars that
 * kafka-runtime resolved from Maven Central (the same broker scripts/kafka runs). It can be
 * stopped and started again on the same ports and data, for tests of the broker being down.
 */
public final class KafkaBroker {
    private static final Logger LOG = Logger.getLogger(KafkaBroker.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    // One broker per JVM, shared by every classloader (Quarkus loads test code in several):
    // its whereabouts and pid live in system properties, which all of them see.
    private static final String PROP_DIR = "testinfra.kafka.dir";
    private static final String PROP_PORT = "testinfra.kafka.port";
    private static final String PROP_CONTROLLER_PORT = "testinfra.kafka.controller-port";
    private static final String PROP_CLASSPATH = "testinfra.kafka.classpath";
    private static final String PROP_PID = "testinfra.kafka.pid";

    private final Path dir;
    private final int port;
    private final int controllerPort;
    private final String classpath;

    private KafkaBroker(Path dir, int port, int controllerPort, String classpath) {
        this.dir = dir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.classpath = classpath;
    }

    /** Formats a fresh data directory and starts the broker on free ports. */
    public static KafkaBroker startFresh() {
        try {
            String classpath = KafkaJvm.classpath();
            Path dir = Files.createTempDirectory("kafka-test-");
            KafkaBroker broker = new KafkaBroker(dir, FreePorts.next(), FreePorts.next(), classpath);
            broker.writeConfig();
            broker.format();
            broker.start();
            System.setProperty(PROP_DIR, dir.toString());
            System.setProperty(PROP_PORT, Integer.toString(broker.port));
            System.setProperty(PROP_CONTROLLER_PORT, Integer.toString(broker.controllerPort));
            System.setProperty(PROP_CLASSPATH, classpath);
            return broker;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the test Kafka broker", e);
        }
    }

    /** The broker another classloader of this JVM started, or null when there is none. */
    public static KafkaBroker attachToRunning() {
        String dir = System.getProperty(PROP_DIR);
        if (dir == null) {
            return null;
        }
        return new KafkaBroker(Path.of(dir), Integer.getInteger(PROP_PORT), Integer.getInteger(PROP_CONTROLLER_PORT),
                System.getProperty(PROP_CLASSPATH));
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    private void writeConfig() throws IOException {
        String config = String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=PLAINTEXT",
                "log.dirs=" + dir.resolve("data"),
                "num.partitions=3",
                "auto.create.topics.enable=false",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=3",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=3",
                "share.coordinator.state.topic.replication.factor=1",
                "group.initial.rebalance.delay.ms=0",
                "");
        Files.writeString(dir.resolve("server.properties"), config);
    }

    private void format() throws IOException {
        // The cluster id is made here: StorageTool random-uuid would cost another JVM start.
        Path log = dir.resolve("format.log");
        KafkaJvm.awaitFormat(KafkaJvm.startFormat(classpath, dir.resolve("server.properties"),
                org.apache.kafka.common.Uuid.randomUuid().toString(), log, "--standalone"), log);
    }

    private List<String> java(String mainClass, String... args) {
        return KafkaJvm.command(classpath, mainClass, args);
    }

    private static java.util.Optional<ProcessHandle> running() {
        String pid = System.getProperty(PROP_PID);
        return pid == null ? java.util.Optional.empty() : ProcessHandle.of(Long.parseLong(pid)).filter(ProcessHandle::isAlive);
    }

    public void start() {
        synchronized (KafkaBroker.class) {
            if (running().isPresent()) {
                return;
            }
            try {
                Process process = new ProcessBuilder(java("kafka.Kafka", dir.resolve("server.properties").toString()))
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("broker.log").toFile()))
                        .start();
                System.setProperty(PROP_PID, Long.toString(process.pid()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            awaitReady();
            LOG.infof("test Kafka broker ready at %s (pid %s, logs %s)", bootstrapServers(), System.getProperty(PROP_PID), dir);
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Map<String, Object> conf = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
        while (System.nanoTime() < deadline) {
            if (running().isEmpty()) {
                throw new IllegalStateException("test Kafka broker exited; see " + dir.resolve("broker.log"));
            }
            try (Admin admin = Admin.create(conf)) {
                admin.describeCluster().nodes().get(3, TimeUnit.SECONDS);
                return;
            } catch (Exception notYet) {
                KafkaJvm.sleep(200);
            }
        }
        throw new IllegalStateException("test Kafka broker not ready within " + READY_TIMEOUT + "; see " + dir.resolve("broker.log"));
    }

    /** Stops the broker (SIGTERM, then SIGKILL after the bound); data and ports are kept for {@link #start()}. */
    public void stop() {
        synchronized (KafkaBroker.class) {
            running().ifPresent(process -> {
                process.destroy();
                try {
                    process.onExit().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                    process.destroyForcibly();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            System.clearProperty(PROP_PID);
        }
    }
}
