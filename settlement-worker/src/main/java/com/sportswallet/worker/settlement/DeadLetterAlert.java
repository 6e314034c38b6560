package com.sportswallet.worker.settlement;

import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sportswallet.contracts.Topics;
import com.sportswallet.outbox.Outbox;
import com.sportswallet.outbox.SystemAlert;

/**
 * The {@code wallet.alert} a dead-lettered command owes (DESIGN.md: "command sent to the DLQ"), a
 * settlement command or a bonus grant record alike:
 * reason {@value SystemAlert#COMMAND_DEAD_LETTERED}, under the record's key (the player, so it
 * follows the player's other events), or {@code _system} for a record without a usable key;
 * {@code data}: {@code dlq_topic}, {@code dlq_reason}, {@code source} (topic-partition@offset, as
 * the DLQ record's {@code dlq.source} header) and {@code record_key}. No player_seq: the record is
 * poison, its key unproven; consumers deduplicate it by id, which its source names, so the same
 * record dead-lettered again (a retried batch, a replay) is the same alert.
 */
public final class DeadLetterAlert {
    private static final Logger LOG = Logger.getLogger(DeadLetterAlert.class);
    static final URI SOURCE = URI.create("/wallet/settlement-worker");

    private DeadLetterAlert() {
    }

    /** Appends the alert for {@code record}, dead-lettered to settlement.commands.dlq for {@code reason}, in the caller's transaction. */
    static void append(Connection c, ConsumerRecord<String, String> record, String reason) throws SQLException {
        append(c, record, reason, Topics.SETTLEMENT_COMMANDS_DLQ);
    }

    /** Appends the alert for {@code record}, dead-lettered to {@code dlqTopic} for {@code reason}, in the caller's transaction. */
    public static void append(Connection c, ConsumerRecord<String, String> record, String reason, String dlqTopic) throws SQLException {
        String source = record.topic() + "-" + record.partition() + "@" + record.offset();
        Instant now = Instant.now();
        ObjectNode data = SystemAlert.data(SystemAlert.keyFor(record.key()), SystemAlert.COMMAND_DEAD_LETTERED, now)
                .put("dlq_topic", dlqTopic)
                .put("dlq_reason", SystemAlert.cut(reason))
                .put("source", source)
                .put("record_key", SystemAlert.cut(record.key()));
        try {
            SystemAlert.append(c, SOURCE, data, now, SystemAlert.COMMAND_DEAD_LETTERED, source);
        } catch (Outbox.EventTooLargeException e) {
            // Never a reason to hold the batch: the DLQ record, its log line and the metric still say it.
            LOG.errorf("the alert for dead-lettered %s does not fit wallet.events (%s): not written", source, e.getMessage());
        }
    }
}
