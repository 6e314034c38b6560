package com.sportswallet.contracts;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.jackson.JsonFormat;

/**
 * CloudEvents 1.0 in structured mode (the whole event is the Kafka record value), through the
 * CloudEvents SDK. {@code data} is a JSON object. Event ids are stable: the same fact always gets
 * the same id, so a re-sent or replayed event is recognisable as a duplicate.
 */
public final class CloudEventJson {
    /** Kafka header value for structured-mode records. */
    public static final String CONTENT_TYPE = JsonFormat.CONTENT_TYPE + "; charset=UTF-8";
    public static final String CONTENT_TYPE_HEADER = "content-type";

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final EventFormat FORMAT = new JsonFormat();

    private CloudEventJson() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /**
     * A name-based (type 3) UUID: the same parts always yield the same id. Each part is
     * length-prefixed, so ("a|b", "c") and ("a", "b|c") name different facts.
     */
    public static String stableId(String... parts) {
        StringBuilder name = new StringBuilder();
        for (String part : parts) {
            name.append(part.length()).append(':').append(part);
        }
        return UUID.nameUUIDFromBytes(name.toString().getBytes(StandardCharsets.UTF_8)).toString();
    }

    public static String serialize(String id, String type, URI source, String subject, Instant time, ObjectNode data) {
        try {
            CloudEvent event = CloudEventBuilder.v1()
                    .withId(id)
                    .withType(type)
                    .withSource(source)
                    .withSubject(subject)
                    .withTime(time.atOffset(ZoneOffset.UTC))
                    .withData("application/json", MAPPER.writeValueAsBytes(data))
                    .build();
            return new String(FORMAT.serialize(event), StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event data is not serializable", e);
        }
    }

    public static CloudEvent parse(byte[] value) {
        return FORMAT.deserialize(value);
    }

    public static ObjectNode dataOf(CloudEvent event) {
        try {
            return (ObjectNode) MAPPER.readTree(event.getData().toBytes());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("event data is not a JSON object", e);
        }
    }
}
