package com.sportswallet.money;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A money statement kept as first-class SQL: a {@code .sql} resource under {@code sql/} in this
 * module, written with pgbench-style {@code :name} parameters, so that the ingress, the worker and
 * the benchmarks run the very same text. Java binds each parameter by name ({@link Bound}); the
 * bench scripts {@code cat} the same file into their pgbench scripts, where pgbench's prepared mode
 * turns each {@code :name} into a parameter bound from its variable of that name.
 *
 * <p>The file format is the subset both readers agree on: lines starting with {@code --} are
 * comments (dropped by both); a parameter is a colon followed by a letter or underscore and then
 * letters, digits and underscores; {@code ::type} is a cast. Like pgbench, the parser does not
 * look inside string literals, so a literal may not hold a colon followed by a letter
 * ({@code NamedSqlTest} checks every file). Statements in one file are separated by {@code ;} at
 * a line end and are sent as one multi-statement round trip.
 */
public final class NamedSql {
    private static final Pattern PARAMETER = Pattern.compile("(?<!:):([A-Za-z_][A-Za-z0-9_]*)");
    private static final String RESOURCE_DIR = "/sql/";

    private final String name;
    private final String text;
    private final String jdbc;
    private final List<String> parameters;
    /** Each name's 1-based positions among {@link #parameters}, computed once: binding is on every request's path. */
    private final Map<String, int[]> positions;

    private NamedSql(String name, String text) {
        this.name = name;
        this.text = text;
        Matcher m = PARAMETER.matcher(text);
        List<String> names = new ArrayList<>();
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            names.add(m.group(1));
            m.appendReplacement(out, "?");
        }
        m.appendTail(out);
        this.jdbc = out.toString();
        this.parameters = List.copyOf(names);
        Map<String, int[]> byName = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            int[] before = byName.getOrDefault(names.get(i), new int[0]);
            int[] after = Arrays.copyOf(before, before.length + 1);
            after[before.length] = i + 1;
            byName.put(names.get(i), after);
        }
        this.positions = Map.copyOf(byName);
    }

    /** The statement file {@code sql/NAME.sql} of this module, comments dropped. */
    public static NamedSql load(String name) {
        try (InputStream in = NamedSql.class.getResourceAsStream(RESOURCE_DIR + name + ".sql")) {
            if (in == null) {
                throw new IllegalStateException("no statement file " + RESOURCE_DIR + name + ".sql");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(line -> !line.stripLeading().startsWith("--"))
                    .collect(Collectors.joining("\n"))
                    .strip();
            if (text.endsWith(";")) {
                text = text.substring(0, text.length() - 1);
            }
            return new NamedSql(name, text);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read statement file " + name, e);
        }
    }

    /** This statement followed by {@code next}, sent as one multi-statement round trip. */
    public NamedSql then(NamedSql next) {
        return new NamedSql(name + "+" + next.name, text + ";\n" + next.text);
    }

    public String name() {
        return name;
    }

    /** The text as in the file (without comments and the last semicolon). */
    public String text() {
        return text;
    }

    /** The text with each {@code :name} replaced by {@code ?}, for JDBC. */
    public String jdbc() {
        return jdbc;
    }

    /** The parameter names in order of appearance (a name used twice appears twice). */
    public List<String> parameters() {
        return parameters;
    }

    /** Prepares the statement on {@code c}; bind every parameter by name before executing it. */
    public Bound prepare(Connection c) throws SQLException {
        return new Bound(c.prepareStatement(jdbc));
    }

    /** A prepared statement whose parameters are set by name; every name must be set before {@link #statement()}. */
    public final class Bound implements AutoCloseable {
        private final PreparedStatement ps;
        private final BitSet set = new BitSet();

        private Bound(PreparedStatement ps) {
            this.ps = ps;
        }

        public Bound set(String parameter, long value) throws SQLException {
            for (int i : positions(parameter)) {
                ps.setLong(i, value);
            }
            return this;
        }

        public Bound set(String parameter, String value) throws SQLException {
            for (int i : positions(parameter)) {
                ps.setString(i, value);
            }
            return this;
        }

        public Bound set(String parameter, byte[] value) throws SQLException {
            for (int i : positions(parameter)) {
                ps.setBytes(i, value);
            }
            return this;
        }

        /** A nullable bigint. */
        public Bound set(String parameter, Long value) throws SQLException {
            for (int i : positions(parameter)) {
                ps.setObject(i, value, Types.BIGINT);
            }
            return this;
        }

        /** A timestamptz (the injectable clock's instant: SQL decides expiry against it, never against its own now()). */
        public Bound set(String parameter, java.time.Instant value) throws SQLException {
            for (int i : positions(parameter)) {
                ps.setObject(i, value == null ? null : java.time.OffsetDateTime.ofInstant(value, java.time.ZoneOffset.UTC), Types.TIMESTAMP_WITH_TIMEZONE);
            }
            return this;
        }

        /** A date (a limit period's local day: the caller decides it from its clock and LIMITS_TIME_ZONE). */
        public Bound set(String parameter, java.time.LocalDate value) throws SQLException {
            for (int i : positions(parameter)) {
                ps.setObject(i, value, Types.DATE);
            }
            return this;
        }

        public Bound set(String parameter, boolean value) throws SQLException {
            for (int i : positions(parameter)) {
                ps.setBoolean(i, value);
            }
            return this;
        }

        /** An array of {@code elementType} (a PostgreSQL type name: text, bigint, integer, boolean). */
        public Bound setArray(String parameter, String elementType, Object[] values) throws SQLException {
            java.sql.Array array = ps.getConnection().createArrayOf(elementType, values);
            for (int i : positions(parameter)) {
                ps.setArray(i, array);
            }
            return this;
        }

        /** The statement, every parameter bound. */
        public PreparedStatement statement() {
            if (set.cardinality() != parameters.size()) {
                List<String> missing = new ArrayList<>();
                for (int i = 0; i < parameters.size(); i++) {
                    if (!set.get(i)) {
                        missing.add(parameters.get(i));
                    }
                }
                throw new IllegalStateException(name + ": parameters not bound: " + missing);
            }
            return ps;
        }

        /** The 1-based positions of {@code parameter}, each marked bound. */
        private int[] positions(String parameter) {
            int[] at = positions.get(parameter);
            if (at == null) {
                throw new IllegalArgumentException(name + " has no parameter :" + parameter);
            }
            for (int i : at) {
                set.set(i - 1);
            }
            return at;
        }

        @Override
        public void close() throws SQLException {
            ps.close();
        }
    }
}
