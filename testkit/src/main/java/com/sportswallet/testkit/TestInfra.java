package com.sportswallet.testkit;

import java.util.Map;

import org.jboss.logging.Logger;
import org.testcontainers.DockerClientFactory;

/**
 * The real Kafka broker and PostgreSQL for one test JVM, started once and shared by every test
 * class in it. With a Docker engine, Testcontainers images; without one (these machines), the
 * Kafka 4.3.1 child JVM and the local or embedded PostgreSQL.
 */
public final class TestInfra {
    private static final Logger LOG = Logger.getLogger(TestInfra.class);
    private static TestInfra instance;

    private final KafkaBroker broker;
    private final Postgres postgres;
    private final Containers containers;
    private final boolean owner;

    private TestInfra(KafkaBroker broker, Postgres postgres, Containers containers, boolean owner) {
        this.broker = broker;
        this.postgres = postgres;
        this.containers = containers;
        this.owner = owner;
    }

    public static synchronized TestInfra get() {
        if (instance == null) {
            // Another classloader of this JVM (a Quarkus test profile, say) may have started it already.
            KafkaBroker running = KafkaBroker.attachToRunning();
            Postgres database = Postgres.attachToRunning();
            if (running != null && database != null) {
                instance = new TestInfra(running, database, null, false);
            } else {
                instance = startInfra();
                TestInfra started = instance;
                Runtime.getRuntime().addShutdownHook(new Thread(started::stop, "test-infra-stop"));
            }
        }
        return instance;
    }

    private static TestInfra startInfra() {
        boolean docker = !"false".equals(System.getProperty("test.docker")) && dockerAvailable();
        if (docker) {
            LOG.info("Docker answers: using Testcontainers for Kafka and PostgreSQL");
            Containers containers = Containers.start();
            return new TestInfra(null, null, containers, true);
        }
        LOG.info("no Docker engine: real Kafka 4.3.1 broker as a child JVM, local or embedded PostgreSQL");
        return new TestInfra(KafkaBroker.startFresh(), Postgres.start(), null, true);
    }

    private static boolean dockerAvailable() {
        // Asking Testcontainers costs a few hundred ms and logs an ERROR where no engine can exist.
        if (System.getenv("DOCKER_HOST") == null && !java.nio.file.Files.exists(java.nio.file.Path.of("/var/run/docker.sock"))) {
            return false;
        }
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable e) {
            return false;
        }
    }

    public String bootstrapServers() {
        return containers != null ? containers.bootstrapServers() : broker.bootstrapServers();
    }

    public String jdbcUrl() {
        return containers != null ? containers.jdbcUrl() : postgres.jdbcUrl();
    }

    public String dbUser() {
        return containers != null ? containers.user() : postgres.user();
    }

    public String dbPassword() {
        return containers != null ? containers.password() : postgres.password();
    }

    /** Applies the ingress's migrations (for modules that do not run the ingress). */
    public void migrate() {
        org.flywaydb.core.Flyway.configure().dataSource(jdbcUrl(), dbUser(), dbPassword())
                .locations("filesystem:" + RepoPaths.find("money/src/main/resources/db/migration")).load().migrate();
    }

    public java.sql.Connection connect() throws java.sql.SQLException {
        return java.sql.DriverManager.getConnection(jdbcUrl(), dbUser(), dbPassword());
    }

    /** Stops the broker, keeping its data, to test a Kafka outage. */
    public void stopBroker() {
        if (containers != null) {
            containers.pauseKafka();
        } else {
            broker.stop();
        }
    }

    public void startBroker() {
        if (containers != null) {
            containers.unpauseKafka();
        } else {
            broker.start();
        }
    }

    /** Quarkus configuration pointing a service at this infrastructure. */
    public Map<String, String> quarkusConfig() {
        return Map.of(
                "quarkus.datasource.jdbc.url", jdbcUrl(),
                "quarkus.datasource.username", dbUser(),
                "quarkus.datasource.password", dbPassword(),
                "kafka.bootstrap.servers", bootstrapServers());
    }

    private void stop() {
        if (!owner) {
            return;
        }
        if (broker != null) {
            broker.stop();
        }
        if (postgres != null) {
            postgres.stop();
        }
        if (containers != null) {
            containers.stop();
        }
    }
}
