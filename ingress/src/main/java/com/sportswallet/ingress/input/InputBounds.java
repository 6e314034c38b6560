package com.sportswallet.ingress.input;

import java.io.IOException;
import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.sportswallet.contracts.CloudEventJson;

/**
 * What the wallet can store, checked in one walk over a request's parsed JSON before any service
 * reads it (provider callbacks: 2004; operator API: 400 in its own error shape). PostgreSQL
 * refuses a NUL character (a 5xx the caller would retry forever), writes a lone UTF-16 surrogate
 * as '?' (two distinct ids would become one), and keeps timestamps in a bounded range; every bound
 * the protocol states is here, once:
 * <ul>
 * <li>every string, object keys included: no U+0000, no lone surrogate;</li>
 * <li>a member named {@code id} or ending in {@code _id}: at most {@link #ID_CHARS_MAX} characters;
 * every other string (names, {@code _name} members and their arrays, free text): at most
 * {@link #NAME_CHARS_MAX};</li>
 * <li>{@code bets} and {@code selections} arrays: at most {@link #SELECTIONS_MAX} elements;</li>
 * <li>integers fit in 64 bits; other numbers are finite doubles;</li>
 * <li>a number named {@code scheduled} or {@code timestamp} is an integer of unix seconds within
 * PostgreSQL's timestamptz range ({@link #UNIX_SECONDS_MIN}..{@link #UNIX_SECONDS_MAX}).</li>
 * </ul>
 * Characters are Unicode code points, as PostgreSQL's {@code char_length} counts them. Parsing
 * refuses duplicate keys ({@link #parse}): a payload with two values for one key has no meaning.
 */
public final class InputBounds {
    /** Longest identifier, in characters: any member named {@code id} or ending in {@code _id}. */
    public static final int ID_CHARS_MAX = 128;
    /** Longest name or any other string, in characters. */
    public static final int NAME_CHARS_MAX = 512;
    /** Most selections in one betslip ({@code betslip.bets}, a settlement's {@code selections}). */
    public static final int SELECTIONS_MAX = 100;
    /** PostgreSQL's earliest timestamptz, 4714-11-24 00:00:00 BC UTC, in unix seconds. */
    public static final long UNIX_SECONDS_MIN = -210_866_803_200L;
    /** PostgreSQL's latest whole second of timestamptz, 294276-12-31 23:59:59 UTC, in unix seconds. */
    public static final long UNIX_SECONDS_MAX = 9_224_318_015_999L;

    private static final ObjectReader STRICT = CloudEventJson.mapper().reader().with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private InputBounds() {
    }

    /** Input the wallet refuses; the message names the member ({@code transaction.id}, {@code betslip.bets[3].market_name}). */
    public static final class Refused extends RuntimeException {
        private final String topLevelField;

        Refused(String path, String topLevelField, String problem) {
            super(path.isEmpty() ? "the document " + problem : path + " " + problem, null, false, false);
            this.topLevelField = topLevelField;
        }

        /** The top-level member the refused value is in (null for the document itself), for callers with per-field codes. */
        public String topLevelField() {
            return topLevelField;
        }
    }

    /** A JSON text that is not JSON, or has a duplicate key. */
    public static final class Malformed extends Exception {
        Malformed(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }

    /** Parses JSON, refusing duplicate keys (Jackson's {@code STRICT_DUPLICATE_DETECTION}); null for no content. */
    public static JsonNode parse(byte[] json) throws Malformed {
        return read(() -> STRICT.readTree(json));
    }

    public static JsonNode parse(String json) throws Malformed {
        return read(() -> STRICT.readTree(json));
    }

    private interface Read {
        JsonNode read() throws IOException;
    }

    private static JsonNode read(Read read) throws Malformed {
        try {
            return read.read();
        } catch (StreamReadException e) {
            throw new Malformed(e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new Malformed("not JSON", e);
        }
    }

    /** Walks {@code root}; throws {@link Refused} at the first value the wallet cannot store. */
    public static void check(JsonNode root) {
        walk(root, new StringBuilder(), null, null);
    }

    private static void walk(JsonNode node, StringBuilder path, String member, String top) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> field = it.next();
                String name = field.getKey();
                int mark = path.length();
                path.append(mark == 0 ? "" : ".").append(printable(name));
                String where = top == null ? name : top;
                checkCharacters(name, path, where, "(a key) ");
                walk(field.getValue(), path, name, where);
                path.setLength(mark);
            }
        } else if (node.isArray()) {
            if (("bets".equals(member) || "selections".equals(member)) && node.size() > SELECTIONS_MAX) {
                throw new Refused(path.toString(), top, "has more than " + SELECTIONS_MAX + " selections");
            }
            for (int i = 0; i < node.size(); i++) {
                int mark = path.length();
                path.append('[').append(i).append(']');
                walk(node.get(i), path, member, top);
                path.setLength(mark);
            }
        } else if (node.isTextual()) {
            String text = node.textValue();
            checkCharacters(text, path, top, "");
            int max = isId(member) ? ID_CHARS_MAX : NAME_CHARS_MAX;
            if (text.length() > max && text.codePointCount(0, text.length()) > max) {
                throw new Refused(path.toString(), top, "is longer than " + max + " characters");
            }
        } else if (node.isNumber()) {
            checkNumber(node, path, member, top);
        }
    }

    private static boolean isId(String member) {
        return member != null && (member.equals("id") || member.endsWith("_id"));
    }

    /** No NUL, and every surrogate in a pair: PostgreSQL could not store it as sent. */
    private static void checkCharacters(String s, StringBuilder path, String top, String what) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '\0') {
                throw new Refused(path.toString(), top, what + "holds a NUL character");
            }
            if (Character.isHighSurrogate(ch) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(ch)) {
                throw new Refused(path.toString(), top, what + "holds a lone UTF-16 surrogate");
            }
        }
    }

    private static void checkNumber(JsonNode node, StringBuilder path, String member, String top) {
        boolean timestamp = "scheduled".equals(member) || "timestamp".equals(member);
        if (node.isIntegralNumber() || node.canConvertToExactIntegral()) { // 1796088471.0 is the integer 1796088471
            if (!node.canConvertToLong()) {
                throw new Refused(path.toString(), top, "is an integer beyond 64 bits");
            }
            long value = node.longValue();
            if (timestamp && (value < UNIX_SECONDS_MIN || value > UNIX_SECONDS_MAX)) {
                throw new Refused(path.toString(), top, "is outside " + UNIX_SECONDS_MIN + ".." + UNIX_SECONDS_MAX
                        + " unix seconds (the database's timestamp range)");
            }
            return;
        }
        if (timestamp) {
            throw new Refused(path.toString(), top, "must be an integer of unix seconds");
        }
        if (!Double.isFinite(node.doubleValue())) {
            throw new Refused(path.toString(), top, "is a number beyond the range of a 64-bit double");
        }
    }

    /** A key as it may appear in a message: NUL and surrogates written as escapes, never echoed raw. */
    private static String printable(String key) {
        StringBuilder out = new StringBuilder(key.length());
        for (int i = 0; i < key.length(); i++) {
            char ch = key.charAt(i);
            if (ch == '\0' || Character.isSurrogate(ch)) {
                out.append(String.format("\\u%04x", (int) ch));
            } else {
                out.append(ch);
            }
        }
        return out.toString();
    }
}
