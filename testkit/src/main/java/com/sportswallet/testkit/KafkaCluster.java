package com.sportswallet.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.jboss.logging.Logger;

/**
 * A real Apache Kafka 4.3.1 cluster of N brokers for replication tests: one KRaft controller and N
 * brokers, each its own child JVM from the same jars as {@link KafkaBroker}, on free ports, under a
 * fresh temporary directory. Each broker can be killed with SIGKILL ({@link #kill}), as a crashed
 * machine would vanish.
 *
 * <p>Why a dedicated controller rather than three combined broker+controller nodes: killing two of
 * three combined nodes takes the controller quorum with them, and without a quorum nothing fences
 * the dead brokers or shrinks the in-sync replica sets, so a produce would only time out instead of
 * showing what {@code min.insync.replicas} does. The controller fences a killed broker after
 * {@link #BROKER_SESSION_TIMEOUT_MS}, shorter than Kafka's 9 s so such tests stay short.
 *
 * <p>About 1.5 GB of memory and a minute of CPU to start on a 2-core machine: for opt-in tests only.
 */
public final class KafkaCluster implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(KafkaCluster.class);
    /** All JVMs up and every broker registered, on a busy 2-core machine. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);
    /** A killed or stopped JVM is gone within this. */
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(30);
    /** Controller side: a broker without a heartbeat for this long is fenced (and leaves every ISR). */
    public static final int BROKER_SESSION_TIMEOUT_MS = 6000;
    /** Broker side: a heartbeat to the controller this often (well within the session timeout). */
    private static final int BROKER_HEARTBEAT_INTERVAL_MS = 1000;
    /** Internal topics (offsets, transactions) are replicated at most this much, like a production cluster. */
    private static final int INTERNAL_REPLICATION_MAX = 3;
    private static final int CONTROLLER_NODE_ID = 100;

    private final Path dir;
    private final String classpath;
    private final int controllerPort;
    /** Broker node id (1..N) to its client port. */
    private final Map<Integer, Integer> brokerPorts = new LinkedHashMap<>();
    private final Map<Integer, Process> processes = new LinkedHashMap<>();

    private KafkaCluster(Path dir, String classpath, int controllerPort) {
        this.dir = dir;
        this.classpath = classpath;
        this.controllerPort = controllerPort;
    }

    /** Formats and starts one controller and {@code brokers} brokers; returns once every broker is registered. */
    public static KafkaCluster start(int brokers) {
        if (brokers < 1 || brokers > 9) {
            throw new IllegalArgumentException("brokers must be 1..9: " + brokers);
        }
        KafkaCluster cluster = null;
        try {
            cluster = new KafkaCluster(Files.createTempDirectory("kafka-cluster-"), KafkaJvm.classpath(), FreePorts.next());
            for (int id = 1; id <= brokers; id++) {
                cluster.brokerPorts.put(id, FreePorts.next());
            }
            cluster.writeConfigs();
            cluster.format();
            cluster.startAll();
            cluster.awaitBrokers(brokers);
            LOG.infof("test Kafka cluster ready at %s (controller pid %s, logs %s)", cluster.bootstrapServers(),
                    cluster.processes.get(CONTROLLER_NODE_ID).pid(), cluster.dir);
            return cluster;
        } catch (IOException | RuntimeException e) {
            if (cluster != null) {
                cluster.close();
            }
            throw e instanceof RuntimeException r ? r : new UncheckedIOException((IOException) e);
        }
    }

    /** Every broker's address, as a client's bootstrap list. */
    public String bootstrapServers() {
        return brokerPorts.values().stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    }

    /** The broker node ids, 1..N. */
    public List<Integer> brokerIds() {
        return List.copyOf(brokerPorts.keySet());
    }

    /** The broker node ids whose JVM still runs. */
    public List<Integer> liveBrokerIds() {
        return brokerPorts.keySet().stream().filter(id -> processes.get(id).isAlive()).toList();
    }

    public Path dir() {
        return dir;
    }

    /** kill -9 of broker {@code nodeId}'s JVM (no shutdown hook, no controlled shutdown); returns once it is gone. */
    public void kill(int nodeId) {
        Process p = processes.get(nodeId);
        if (p == null || !brokerPorts.containsKey(nodeId)) {
            throw new IllegalArgumentException("no broker " + nodeId + " in " + brokerPorts.keySet());
        }
        // ProcessHandle.destroyForcibly is SIGKILL on Linux.
        p.toHandle().destroyForcibly();
        awaitExit(p);
        LOG.infof("test Kafka cluster: broker %d (pid %d) killed", nodeId, p.pid());
    }

    /** Kills every JVM of the cluster (SIGKILL: its data is thrown away) and waits for them to end. */
    @Override
    public void close() {
        for (Process p : processes.values()) {
            p.toHandle().destroyForcibly();
        }
        for (Process p : processes.values()) {
            awaitExit(p);
        }
    }

    private void writeConfigs() throws IOException {
        int internalReplication = Math.min(INTERNAL_REPLICATION_MAX, brokerPorts.size());
        int internalMinIsr = Math.max(1, internalReplication - 1);
        String controllerConfig = String.join("\n",
                "process.roles=controller",
                "node.id=" + CONTROLLER_NODE_ID,
                "listeners=CONTROLLER://127.0.0.1:" + controllerPort,
                "controller.listener.names=CONTROLLER",
                "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("controller-data"),
                "broker.session.timeout.ms=" + BROKER_SESSION_TIMEOUT_MS,
                "");
        Files.writeString(dir.resolve("controller.properties"), controllerConfig);
        for (Map.Entry<Integer, Integer> b : brokerPorts.entrySet()) {
            String config = String.join("\n",
                    "process.roles=broker",
                    "node.id=" + b.getKey(),
                    "listeners=PLAINTEXT://127.0.0.1:" + b.getValue(),
                    "advertised.listeners=PLAINTEXT://127.0.0.1:" + b.getValue(),
                    "controller.listener.names=CONTROLLER",
                    "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
                    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                    "inter.broker.listener.name=PLAINTEXT",
                    "log.dirs=" + dir.resolve("broker-" + b.getKey() + "-data"),
                    "num.partitions=3",
                    "auto.create.topics.enable=false",
                    "broker.heartbeat.interval.ms=" + BROKER_HEARTBEAT_INTERVAL_MS,
                    "offsets.topic.replication.factor=" + internalReplication,
                    "offsets.topic.num.partitions=3",
                    "transaction.state.log.replication.factor=" + internalReplication,
                    "transaction.state.log.min.isr=" + internalMinIsr,
                    "transaction.state.log.num.partitions=3",
                    "share.coordinator.state.topic.replication.factor=" + internalReplication,
                    "share.coordinator.state.topic.min.isr=" + internalMinIsr,
                    "group.initial.rebalance.delay.ms=0",
                    "");
            Files.writeString(dir.resolve("broker-" + b.getKey() + ".properties"), config);
        }
    }

    /** Formats every node's storage with one cluster id, the JVMs side by side (each start costs seconds of CPU). */
    private void format() throws IOException {
        String clusterId = Uuid.randomUuid().toString();
        Map<Path, Process> formats = new LinkedHashMap<>();
        Path controllerLog = dir.resolve("format-controller.log");
        formats.put(controllerLog, KafkaJvm.startFormat(classpath, dir.resolve("controller.properties"), clusterId, controllerLog,
                "--standalone"));
        for (int id : brokerPorts.keySet()) {
            Path log = dir.resolve("format-broker-" + id + ".log");
            formats.put(log, KafkaJvm.startFormat(classpath, dir.resolve("broker-" + id + ".properties"), clusterId, log));
        }
        for (Map.Entry<Path, Process> f : formats.entrySet()) {
            KafkaJvm.awaitFormat(f.getValue(), f.getKey());
        }
    }

    private void startAll() throws IOException {
        processes.put(CONTROLLER_NODE_ID, launch(dir.resolve("controller.properties"), dir.resolve("controller.log")));
        for (int id : brokerPorts.keySet()) {
            processes.put(id, launch(dir.resolve("broker-" + id + ".properties"), dir.resolve("broker-" + id + ".log")));
        }
    }

    private Process launch(Path properties, Path log) throws IOException {
        return new ProcessBuilder(KafkaJvm.command(classpath, "kafka.Kafka", properties.toString()))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    private void awaitBrokers(int expected) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Map<String, Object> conf = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
        int seen = 0;
        while (System.nanoTime() < deadline) {
            List<Integer> dead = new ArrayList<>();
            processes.forEach((id, p) -> {
                if (!p.isAlive()) {
                    dead.add(id);
                }
            });
            if (!dead.isEmpty()) {
                throw new IllegalStateException("test Kafka cluster: node(s) " + dead + " exited during start; see the logs in " + dir);
            }
            try (Admin admin = Admin.create(conf)) {
                seen = admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).size();
                if (seen >= expected) {
                    return;
                }
            } catch (Exception notYet) {
                // Not answering yet.
            }
            KafkaJvm.sleep(500);
        }
        throw new IllegalStateException("test Kafka cluster: " + seen + " of " + expected + " brokers registered within " + READY_TIMEOUT
                + "; see the logs in " + dir);
    }

    private static void awaitExit(Process p) {
        try {
            if (!p.waitFor(EXIT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException("Kafka JVM " + p.pid() + " still runs " + EXIT_TIMEOUT + " after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
