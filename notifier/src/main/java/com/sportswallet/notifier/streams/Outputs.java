package com.sportswallet.notifier.streams;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.sportswallet.contracts.CloudEventJson;
import com.sportswallet.contracts.EventTypes;

/**
 * The notifier's output events ({@code crm.events}, {@code bonus.events}): CloudEvents 1.0 in
 * structured mode ({@code specversion}, {@code id}, {@code source}, {@code type},
 * {@code datacontenttype} application/json, {@code subject}, {@code time}, {@code data} inline),
 * key = player id, header content-type application/cloudevents+json. Written with Jackson's
 * generator (the CloudEvents SDK's builder and serializer cost a tenth of the topology's time;
 * the tests parse every output back with the SDK). Everything in them derives from the source
 * event only, so a replay re-emits byte-identical records:
 * <ul>
 * <li>{@code id} = {@code stableId(<output type>, <source event id>)};</li>
 * <li>{@code time} = the source event's time (its text, unchanged); {@code source} = {@value #SOURCE_TEXT};</li>
 * <li>{@code sourceoffset}, {@code sourceindex}: where the fact that caused it sits in {@code wallet.events};</li>
 * <li>crm {@code data}: {@code player_id}, {@code amount}, {@code currency}, {@code source_event_id},
 * {@code occurred_at} (DESIGN.md), plus per type: big-win {@code bet_id}, {@code is_cashout};
 * bonus-granted {@code bonus_id}, {@code bonus_type}, {@code expires_at} (amount: the bonus);
 * negative-balance {@code source_type}, {@code balance_after}, {@code sequence}; status-changed
 * {@code status}; excluded {@code excluded_until}; limit-reached {@code limit_kind}, {@code period},
 * {@code period_start}, {@code limit}, {@code usage}, {@code transaction_id} (the make or deposit that
 * reached it);</li>
 * <li>bonus {@code data}: {@code player_id}, {@code wagered_total}, {@code since}, {@code bet_id},
 * {@code source_event_id} (DESIGN.md), plus {@code source_type}, {@code occurred_at}; freebet-redeemed
 * {@code player_id}, {@code bonus_id}, {@code bonus_type}, {@code bet_id}, {@code amount} (the bonus
 * stake), {@code currency}, {@code source_event_id}, {@code occurred_at}; promotion sold-out
 * {@code promotion_id}, {@code player_id} (the last claim's), {@code source_event_id}, {@code occurred_at}.</li>
 * </ul>
 * crm {@code amount} is the money of the fact as a CRM reads it, in minor units: first-bet the
 * stake, big-win the win, deposit the deposit, withdrawal the amount withdrawn (all positive),
 * negative-balance the balance reached (negative), status-changed, excluded and limit-reached 0 (a
 * limit's money is in its own {@code limit} and {@code usage}).
 */
public final class Outputs {
    static final String SOURCE_TEXT = "/wallet/notifier";
    /**
     * CloudEvents extensions: the {@code wallet.events} offset of the fact that caused the output (a
     * string of digits: CloudEvents integers are 32-bit, Kafka offsets 64-bit), and the output's
     * index among that fact's outputs (0, 1, ...). A player's facts live in one partition, so per
     * player (sourceoffset, sourceindex) rises with every output, in the first run and in every rebuild.
     */
    public static final String SOURCE_OFFSET = "sourceoffset";
    public static final String SOURCE_INDEX = "sourceindex";
    private static final JsonFactory JSON = CloudEventJson.mapper().getFactory();
    private static final byte[] CONTENT_TYPE = CloudEventJson.CONTENT_TYPE.getBytes(StandardCharsets.UTF_8);

    /** Type-specific data fields, written after the common ones. */
    @FunctionalInterface
    interface Extra {
        void write(JsonGenerator g) throws IOException;
    }

    static final Extra NONE = g -> {
    };

    private Outputs() {
    }

    static String outputId(String outputType, String sourceEventId) {
        return CloudEventJson.stableId(outputType, sourceEventId);
    }

    static String crm(String type, WalletEvent e, String playerId, long amount, Extra extra, long sourceOffset, int sourceIndex) {
        return event(type, e, playerId, sourceOffset, sourceIndex, g -> {
            g.writeStringField("player_id", playerId);
            g.writeNumberField("amount", amount);
            g.writeStringField("currency", e.currency());
            g.writeStringField("source_event_id", e.id());
            g.writeStringField("occurred_at", e.occurredAtString());
            extra.write(g);
        });
    }

    static String wageringProgress(WalletEvent e, String playerId, long wageredTotal, String since, String betId, long sourceOffset,
            int sourceIndex) {
        return event(EventTypes.BONUS_WAGERING_PROGRESS, e, playerId, sourceOffset, sourceIndex, g -> {
            g.writeStringField("player_id", playerId);
            g.writeNumberField("wagered_total", wageredTotal);
            g.writeStringField("since", since);
            g.writeStringField("bet_id", betId);
            g.writeStringField("source_event_id", e.id());
            g.writeStringField("source_type", e.type());
            g.writeStringField("occurred_at", e.occurredAtString());
        });
    }

    /** crm.player.bonus-granted's own fields: which bonus, of what type, until when. */
    static Extra bonusFields(WalletEvent.Bonus b) {
        return g -> {
            g.writeStringField("bonus_id", b.bonusId());
            g.writeStringField("bonus_type", b.bonusType());
            g.writeStringField("expires_at", b.expiresAt());
        };
    }

    /**
     * crm.player.limit-reached's own fields (issue 15): which limit, in which period, and the usage that
     * reached it (equal to the limit: the ingress writes the event only when a usage lands exactly on it).
     */
    static Extra limitFields(WalletEvent.Limit l, String transactionId) {
        return g -> {
            g.writeStringField("limit_kind", l.kind());
            g.writeStringField("period", l.period());
            g.writeStringField("period_start", l.periodStart());
            writeNumberOrNull(g, "limit", l.limit());
            writeNumberOrNull(g, "usage", l.usage());
            g.writeStringField("transaction_id", transactionId);
        };
    }

    private static void writeNumberOrNull(JsonGenerator g, String field, Long value) throws IOException {
        if (value == null) {
            g.writeNullField(field);
        } else {
            g.writeNumberField(field, value);
        }
    }

    /** bonus.freebet.redeemed: a freebet staked on a bet; amount is the bonus stake (no cash moved). */
    static String freebetRedeemed(WalletEvent e, String playerId, long sourceOffset, int sourceIndex) {
        WalletEvent.Bonus b = e.bonus();
        return event(EventTypes.BONUS_FREEBET_REDEEMED, e, playerId, sourceOffset, sourceIndex, g -> {
            g.writeStringField("player_id", playerId);
            g.writeStringField("bonus_id", b.bonusId());
            g.writeStringField("bonus_type", b.bonusType());
            g.writeStringField("bet_id", e.betId());
            g.writeNumberField("amount", b.bonusStake() != null ? b.bonusStake() : Math.abs(e.amount()));
            g.writeStringField("currency", e.currency());
            g.writeStringField("source_event_id", e.id());
            g.writeStringField("occurred_at", e.occurredAtString());
        });
    }

    /** bonus.promotion.sold-out: the claim that took a limited promotion's last slot, and whose it was. */
    static String promotionSoldOut(WalletEvent e, String playerId, long sourceOffset, int sourceIndex) {
        return event(EventTypes.BONUS_PROMOTION_SOLD_OUT, e, playerId, sourceOffset, sourceIndex, g -> {
            g.writeStringField("promotion_id", e.bonus().promotionId());
            g.writeStringField("player_id", playerId);
            g.writeStringField("source_event_id", e.id());
            g.writeStringField("occurred_at", e.occurredAtString());
        });
    }

    private static String event(String type, WalletEvent e, String subject, long sourceOffset, int sourceIndex, Extra data) {
        StringWriter out = new StringWriter(512);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("specversion", "1.0");
            g.writeStringField("id", outputId(type, e.id()));
            g.writeStringField("source", SOURCE_TEXT);
            g.writeStringField("type", type);
            g.writeStringField("datacontenttype", "application/json");
            g.writeStringField("subject", subject);
            g.writeStringField("time", e.timeString());
            if (sourceOffset >= 0) {
                g.writeStringField(SOURCE_OFFSET, Long.toString(sourceOffset));
                g.writeNumberField(SOURCE_INDEX, sourceIndex);
            }
            g.writeObjectFieldStart("data");
            data.write(g);
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException("writing an output event", ex);
        }
        return out.toString();
    }

    static Headers headers() {
        RecordHeaders h = new RecordHeaders();
        h.add(CloudEventJson.CONTENT_TYPE_HEADER, CONTENT_TYPE);
        return h;
    }
}
