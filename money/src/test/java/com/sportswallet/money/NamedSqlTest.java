package com.sportswallet.money;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

class NamedSqlTest {
    private static final Path SQL_DIR = Path.of("src/main/resources/sql");

    @Test
    void namesBecomePositionalParametersAndCastsStay() {
        NamedSql debit = NamedSql.load("make-debit");
        assertFalse(debit.jdbc().matches("(?s).*(?<!:):[A-Za-z_].*"), "no :name left: " + debit.jdbc());
        assertTrue(debit.jdbc().contains("CAST(? AS jsonb)"), debit.jdbc());
        assertEquals(List.of("stake", "wallet_id", "stake", "stake", "ledger_key", "topic", "player_id", "event_id", "event",
                "body_up_to_balance", "endpoint", "key"), debit.parameters());
        NamedSql flip = NamedSql.load("credit-flip-commanded");
        assertTrue(flip.jdbc().contains("unnest(?::text[], ?::bigint[], ?::bigint[])"), flip.jdbc());
        assertFalse(flip.text().contains("--"), "comments are dropped");
    }

    @Test
    void thenJoinsStatementsIntoOneRoundTrip() {
        NamedSql both = NamedSql.load("make-batch-claim").then(NamedSql.load("make-batch-wallet-read"));
        assertEquals(List.of("endpoint", "keys", "request_hashes", "hash_versions", "now", "player_id"), both.parameters());
        assertEquals(2, both.jdbc().split(";\n").length);
    }

    @Test
    void aMissingFileOrParameterIsRefused() {
        assertThrows(IllegalStateException.class, () -> NamedSql.load("no-such-statement"));
    }

    /**
     * pgbench, like this parser, turns ":name" into a parameter even inside a string literal or a
     * comment line it keeps: no literal in any statement file may hold a colon followed by a letter.
     */
    @Test
    void noStatementFileHasAColonNameInsideALiteral() throws IOException {
        Pattern literal = Pattern.compile("'[^']*'");
        try (Stream<Path> files = Files.list(SQL_DIR)) {
            List<Path> all = files.filter(f -> f.toString().endsWith(".sql")).sorted().toList();
            assertTrue(all.size() >= 10, "statement files found: " + all);
            for (Path f : all) {
                String name = f.getFileName().toString().replace(".sql", "");
                NamedSql sql = NamedSql.load(name);
                Matcher m = literal.matcher(sql.text());
                while (m.find()) {
                    assertFalse(m.group().matches("(?s).*:[A-Za-z_].*"), name + " has a literal with a parameter-like colon: " + m.group());
                }
                assertFalse(sql.text().isBlank(), name);
            }
        }
    }
}
