package com.sportswallet.testkit;

import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.kafka.KafkaContainer;

/** Testcontainers images, used only where a Docker engine answers. */
final class Containers {
    private final KafkaContainer kafka;
    private final PostgreSQLContainer<?> postgres;

    private Containers(KafkaContainer kafka, PostgreSQLContainer<?> postgres) {
        this.kafka = kafka;
        this.postgres = postgres;
    }

    static Containers start() {
        KafkaContainer kafka = new KafkaContainer("apache/kafka:4.3.1")
                .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
                .withEnv("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR", "1")
                .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false");
        PostgreSQLContainer<?> postgres = new PostgreSQLContainer<>("postgres:15").withDatabaseName("wallet");
        kafka.start();
        postgres.start();
        return new Containers(kafka, postgres);
    }

    String bootstrapServers() {
        return kafka.getBootstrapServers();
    }

    String jdbcUrl() {
        return postgres.getJdbcUrl();
    }

    String user() {
        return postgres.getUsername();
    }

    String password() {
        return postgres.getPassword();
    }

    void pauseKafka() {
        kafka.getDockerClient().pauseContainerCmd(kafka.getContainerId()).exec();
    }

    void unpauseKafka() {
        kafka.getDockerClient().unpauseContainerCmd(kafka.getContainerId()).exec();
    }

    void stop() {
        kafka.stop();
        postgres.stop();
    }
}
