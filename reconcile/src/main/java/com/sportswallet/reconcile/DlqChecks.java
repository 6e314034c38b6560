package com.sportswallet.reconcile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.apache.kafka.common.header.Header;

import com.fasterxml.jackson.databind.JsonNode;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.EventTypes;

/**
 * {@code dlq-explained}: the dead-letter topics ({@code settlement.commands.dlq},
 * {@code crm.webhook.dlq}) are empty, or each of their records is explained by a
 * {@code wallet.alert} on {@code wallet.events}. A dead-lettered record is explained when an alert's
 * data names it by one of:
 * <ul>
 * <li>{@code dlq_event_id}: the dead-lettered record's CloudEvent {@code id} (a command's, or a
 * crm.events record's);</li>
 * <li>{@code credit_id}: the credit a dead-lettered {@code settlement.credit} command names
 * ({@code data.credit_id});</li>
 * <li>{@code dlq_source}: the record's {@code dlq.source} header ({@code topic-partition@offset} of
 * the record that was dead-lettered: the only name a record that is not a CloudEvent has).</li>
 * </ul>
 * The alert's {@code reason} and its other fields are not looked at, so any alert that names the
 * record explains it. A dead-lettered command's credit is still owed: the worker's re-drive applies
 * it, and credits-pending reports it while it is not. Fed the alerts of
 * {@link KafkaChecks#events}'s one pass over wallet.events ({@link #event}), then reads each DLQ
 * once ({@link #result}); holds the alerts' names in memory.
 */
final class DlqChecks {
    static final String DLQ_EXPLAINED = "dlq-explained";
    static final String DLQ_EVENT_ID = "dlq_event_id";
    static final String CREDIT_ID = "credit_id";
    static final String DLQ_SOURCE = "dlq_source";
    static final String SOURCE_HEADER = "dlq.source";

    private final Set<String> eventIds = new HashSet<>();
    private final Set<String> creditIds = new HashSet<>();
    private final Set<String> sources = new HashSet<>();

    /** One record of wallet.events (a JSON object): an alert's names are kept. */
    void event(JsonNode event) {
        if (!EventTypes.ALERT.equals(event.path("type").asText(""))) {
            return;
        }
        JsonNode data = event.path("data");
        keep(data, DLQ_EVENT_ID, eventIds);
        keep(data, CREDIT_ID, creditIds);
        keep(data, DLQ_SOURCE, sources);
    }

    private static void keep(JsonNode data, String field, Set<String> into) {
        JsonNode v = data.get(field);
        if (v != null && !v.isNull() && !v.asText().isEmpty()) {
            into.add(v.asText());
        }
    }

    /** Reads every DLQ topic; one discrepancy per record no alert explains. */
    CheckResult result(String bootstrap, List<String> topics, int examples) throws ReconcileException {
        CheckResult.Builder check = CheckResult.builder(DLQ_EXPLAINED, examples);
        for (String topic : topics) {
            TopicReader.readAll(bootstrap, topic, r -> {
                String where = r.topic() + "-" + r.partition() + "@" + r.offset();
                Header sourceHeader = r.headers().lastHeader(SOURCE_HEADER);
                String source = sourceHeader == null || sourceHeader.value() == null ? null
                        : new String(sourceHeader.value(), StandardCharsets.UTF_8);
                Header reasonHeader = r.headers().lastHeader("dlq.reason");
                String reason = reasonHeader == null || reasonHeader.value() == null ? null
                        : new String(reasonHeader.value(), StandardCharsets.UTF_8);
                JsonNode value;
                try {
                    value = r.value() == null ? null : CloudEventJson.mapper().readTree(r.value());
                } catch (IOException e) {
                    value = null;
                }
                String eventId = value != null && value.isObject() ? value.path("id").asText(null) : null;
                String creditId = value != null && value.isObject() ? value.path("data").path("credit_id").asText(null) : null;
                boolean explained = (eventId != null && eventIds.contains(eventId)) || (creditId != null && creditIds.contains(creditId))
                        || (source != null && sources.contains(source));
                if (!explained) {
                    check.add("record " + where + " (key " + r.key() + (eventId == null ? ", not a CloudEvent" : ", event " + eventId)
                            + (creditId == null ? "" : ", credit " + creditId) + (source == null ? "" : ", from " + source)
                            + (reason == null ? "" : ", reason " + reason)
                            + "): no wallet.alert names it (data." + DLQ_EVENT_ID + ", " + CREDIT_ID + " or " + DLQ_SOURCE + ")");
                }
            });
        }
        return check.build();
    }
}
