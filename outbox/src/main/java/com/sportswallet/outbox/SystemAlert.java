package com.sportswallet.outbox;

import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.EventTypes;
import com.sportswallet.contracts.Topics;

/**
 * A {@code wallet.alert} about the pipeline rather than a player's money: an outbox key parked
 * ({@value #OUTBOX_PARKED}) or a command sent to the dead-letter topic ({@value #COMMAND_DEAD_LETTERED}).
 * Appended to the outbox in the caller's transaction, so it commits with what it reports.
 *
 * <p>Such an alert carries no {@code player_seq} (DESIGN.md: {@code _system} alerts and alerts for
 * unknown keys have none; consumers deduplicate them by id) and no money. Its record key and
 * {@code data.player_id} are {@code key}; {@value #SYSTEM_KEY} when there is none, and for the
 * outbox's own alerts, so the alert about a parked key is never parked behind that key.
 */
public final class SystemAlert {
    /** The key of alerts that are about no player. No accepted player id starts with {@code _}. */
    public static final String SYSTEM_KEY = "_system";
    public static final String OUTBOX_PARKED = "outbox_parked";
    public static final String COMMAND_DEAD_LETTERED = "command_dead_lettered";
    /** Keys longer than this are not used as a record key (the alert goes under {@value #SYSTEM_KEY}, the key cut in its data). */
    public static final int KEY_CHARS_MAX = 256;
    /** Texts copied into an alert (errors, reasons, keys) are cut to this many characters. */
    public static final int TEXT_CHARS_MAX = 1000;

    private SystemAlert() {
    }

    /** The key an alert about {@code key} goes under: {@code key} itself, or {@value #SYSTEM_KEY} when it is absent, blank or too long. */
    public static String keyFor(String key) {
        return key == null || key.isBlank() || key.length() > KEY_CHARS_MAX ? SYSTEM_KEY : key;
    }

    /** The data every such alert starts with; callers add the details of its reason. */
    public static ObjectNode data(String key, String reason, Instant occurredAt) {
        return CloudEventJson.mapper().createObjectNode()
                .put("player_id", key)
                .put("reason", reason)
                .put("occurred_at", occurredAt.toString());
    }

    /**
     * Appends the alert to the outbox ({@code wallet.events}, key {@code data.player_id}), id
     * {@code stableId("wallet.alert", idParts...)}.
     *
     * @return its event id
     */
    public static String append(Connection c, URI source, ObjectNode data, Instant time, String... idParts) throws SQLException {
        String key = data.path("player_id").asText(SYSTEM_KEY);
        String[] parts = new String[idParts.length + 1];
        parts[0] = EventTypes.ALERT;
        System.arraycopy(idParts, 0, parts, 1, idParts.length);
        String eventId = CloudEventJson.stableId(parts);
        Outbox.append(c, Topics.WALLET_EVENTS, key, eventId, CloudEventJson.serialize(eventId, EventTypes.ALERT, source, key, time, data));
        AlertLog.record(c, eventId, key, data, time);
        return eventId;
    }

    /** {@code text} cut to {@link #TEXT_CHARS_MAX} characters (null stays null). */
    public static String cut(String text) {
        return text == null || text.length() <= TEXT_CHARS_MAX ? text : text.substring(0, TEXT_CHARS_MAX) + "…";
    }
}
