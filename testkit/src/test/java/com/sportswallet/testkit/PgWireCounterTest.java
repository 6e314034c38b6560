package com.sportswallet.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs the real pgjdbc driver through the counter against a real PostgreSQL. What pgjdbc 42.7.7
 * puts on the wire (seen with a trace of this proxy): BEGIN is always a simple query 'Q' "BEGIN",
 * sent in front of the first statement of each transaction. commit()/rollback() in the default
 * extended mode are Parse "COMMIT"/"ROLLBACK" + Bind + Execute: with prepareThreshold=0 an
 * unnamed Parse every time; with the default threshold a named statement (S_n) parsed on the
 * first commit() of the connection, then only Bind S_n + Execute. With preferQueryMode=simple
 * both are 'Q' messages. The counter must give the same exact numbers in every mode.
 */
class PgWireCounterTest {
    private static final int COMMITTED_TX = 25;
    private static final int ROLLED_BACK_TX = 3;
    // More than pgjdbc's default prepareThreshold (5), so named statements come into play.
    private static final int AUTOCOMMIT_STATEMENTS = 12;
    private static final long CONCURRENT_TIMEOUT_SECONDS = 60;

    private static Postgres pg;
    private static String host;
    private static int port;
    private static String database;

    @BeforeAll
    static void startDatabase() {
        pg = Postgres.start();
        URI uri = URI.create(pg.jdbcUrl().substring("jdbc:".length()));
        host = uri.getHost();
        port = uri.getPort();
        database = uri.getPath().substring(1);
    }

    @AfterAll
    static void stopDatabase() {
        if (pg != null) {
            pg.stop();
        }
    }

    private static Connection connect(PgWireCounter counter, String options) throws SQLException {
        String url = "jdbc:postgresql://127.0.0.1:" + counter.port() + "/" + database + "?" + options;
        return DriverManager.getConnection(url, pg.user(), pg.password());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "prepareThreshold=0&sslmode=disable",
            "sslmode=disable", // default prepareThreshold: COMMIT arrives as Bind/Execute of a named statement
            "preferQueryMode=simple&sslmode=disable"
    })
    void countsExactlyTheTransactionsTheDriverRuns(String options) throws Exception {
        try (PgWireCounter counter = PgWireCounter.start(host, port); Connection c = connect(counter, options)) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TEMP TABLE pwc (n int)");
            }
            runAutocommit(c);
            assertCounts(counter, 0, 0, 0, "autocommit statements are no transaction control");

            c.setAutoCommit(false);
            for (int i = 0; i < COMMITTED_TX; i++) {
                transaction(c, i);
                c.commit();
            }
            for (int i = 0; i < ROLLED_BACK_TX; i++) {
                transaction(c, -1);
                c.rollback();
            }
            // pgjdbc sends one BEGIN per transaction, lazily before its first statement; a
            // commit() with nothing to commit sends nothing.
            c.commit();
            c.setAutoCommit(true);
            assertCounts(counter, COMMITTED_TX + ROLLED_BACK_TX, COMMITTED_TX, ROLLED_BACK_TX, "after the transactions");

            runAutocommit(c);
            assertCounts(counter, COMMITTED_TX + ROLLED_BACK_TX, COMMITTED_TX, ROLLED_BACK_TX, "autocommit again");
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*), min(n) FROM pwc")) {
                rs.next();
                assertEquals(COMMITTED_TX, rs.getInt(1), "only committed rows survive (bytes forwarded unchanged)");
                assertEquals(0, rs.getInt(2));
            }
            assertEquals(0, counter.encryptedConnections());
        }
    }

    @Test
    void negotiatesSslRequest() throws Exception {
        boolean serverTls;
        try (Connection direct = DriverManager.getConnection(pg.jdbcUrl() + "?sslmode=disable", pg.user(), pg.password());
                Statement s = direct.createStatement(); ResultSet rs = s.executeQuery("SHOW ssl")) {
            rs.next();
            serverTls = "on".equals(rs.getString(1));
        }
        // sslmode=prefer sends an SSLRequest first: answered 'N', the startup follows in clear and
        // is parsed; answered 'S', the session is TLS and only forwarded.
        try (PgWireCounter counter = PgWireCounter.start(host, port); Connection c = connect(counter, "sslmode=prefer")) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("SELECT 1");
            }
            c.commit();
            long parsed = serverTls ? 0 : 1;
            assertCounts(counter, parsed, parsed, 0, serverTls ? "TLS session" : "SSL refused");
            assertEquals(1 - parsed, counter.encryptedConnections());
        }
    }

    @Test
    void countsAcrossConcurrentConnections() throws Exception {
        int connections = 4;
        int perConnection = 10;
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        try (PgWireCounter counter = PgWireCounter.start(host, port)) {
            List<Callable<Void>> work = new ArrayList<>();
            for (int k = 0; k < connections; k++) {
                work.add(() -> {
                    try (Connection c = connect(counter, "sslmode=disable")) {
                        c.setAutoCommit(false);
                        for (int i = 0; i < perConnection; i++) {
                            try (Statement s = c.createStatement()) {
                                s.execute("SELECT pg_sleep(0.001)");
                            }
                            c.commit();
                        }
                    }
                    return null;
                });
            }
            for (Future<Void> f : pool.invokeAll(work, CONCURRENT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                f.get();
            }
            assertCounts(counter, connections * perConnection, connections * perConnection, 0, "concurrent");
        } finally {
            pool.shutdownNow();
        }
    }

    private static void transaction(Connection c, int n) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO pwc (n) VALUES (?)")) {
            insert.setInt(1, n);
            insert.executeUpdate();
        }
        try (PreparedStatement select = c.prepareStatement("SELECT count(*) FROM pwc WHERE n = ?")) {
            select.setInt(1, n);
            try (ResultSet rs = select.executeQuery()) {
                rs.next();
            }
        }
    }

    private static void runAutocommit(Connection c) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT count(*) FROM pwc WHERE n = ?")) {
            for (int i = 0; i < AUTOCOMMIT_STATEMENTS; i++) {
                p.setInt(1, i);
                try (ResultSet rs = p.executeQuery()) {
                    rs.next();
                }
            }
        }
    }

    private static void assertCounts(PgWireCounter counter, long begins, long commits, long rollbacks, String when) {
        assertEquals(begins, counter.begins(), "BEGINs " + when);
        assertEquals(commits, counter.commits(), "COMMITs " + when);
        assertEquals(rollbacks, counter.rollbacks(), "ROLLBACKs " + when);
    }
}
