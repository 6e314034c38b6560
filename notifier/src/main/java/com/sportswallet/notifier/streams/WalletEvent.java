package com.sportswallet.notifier.streams;

import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.sportswallet.contracts.CloudEventJson;

/**
 * The fields of a {@code wallet.events} CloudEvent (structured JSON, {@code data} inline) that the
 * notifier uses. Read with Jackson's streaming parser in one pass, and the ingress's timestamps
 * ({@code 2026-11-21T21:31:27.589863404Z}) with a hand-written parser: the topology's throughput
 * is mostly this (a JSON tree and {@code OffsetDateTime.parse} cost about three times as much).
 */
record WalletEvent(String id, String type, Instant time, String subject, String playerId, String currency, long amount,
        Long balanceAfter, Long sequence, String betId, String transactionId, Instant occurredAt, String reversedOperation,
        String reversedTransactionId, boolean cashout, String status, String reason, String timeText, String occurredAtText,
        Long playerSeq, Long stake, Instant reversedOccurredAt, Bonus bonus, Instant excludedUntil, Limit limit) {

    /**
     * The bonus fields of a {@code wallet.bonus.*} fact, or of a bet on a bonus (issue 14): null when
     * the event names no bonus and no promotion. {@code promotionClaimsLeft} is set only on the claim
     * of a limited promotion (0 on the claim that took its last slot).
     */
    record Bonus(String bonusId, String bonusType, Long bonusStake, String expiresAt, String promotionId, Long promotionClaimsLeft) {
    }

    /**
     * The fields of a {@code wallet.limit.reached} (issue 15): null when the event names no
     * {@code limit_kind}. {@code periodStart} is the source's text of a local date (in the ingress's
     * LIMITS_TIME_ZONE), kept as text: the notifier passes it on and never computes with it.
     */
    record Limit(String kind, String period, String periodStart, Long limit, Long usage) {
    }

    /** The source's own text of {@link #time()}, written back unchanged into outputs (no re-formatting). */
    String timeString() {
        return timeText != null ? timeText : time == null ? Instant.EPOCH.toString() : time.toString();
    }

    String occurredAtString() {
        return occurredAtText != null ? occurredAtText : occurredAt == null ? null : occurredAt.toString();
    }

    private static final JsonFactory JSON = CloudEventJson.mapper().getFactory();

    /** Thrown for a record that is not a usable wallet event; the processor logs and skips it. */
    static final class Unusable extends Exception {
        Unusable(String message) {
            super(message, null, false, false);
        }
    }

    static WalletEvent parse(byte[] value) throws Unusable {
        if (value == null) {
            throw new Unusable("null value (tombstone)");
        }
        Builder b = new Builder();
        try (JsonParser p = JSON.createParser(value)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new Unusable("not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "id" -> b.id = text(p, t);
                    case "type" -> b.type = text(p, t);
                    case "time" -> b.timeText = text(p, t);
                    case "subject" -> b.subject = text(p, t);
                    case "data" -> {
                        if (t == JsonToken.START_OBJECT) {
                            data(p, b);
                        } else {
                            p.skipChildren();
                        }
                    }
                    default -> p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new Unusable("not JSON: " + e.getMessage());
        }
        if (b.id == null || b.id.isEmpty() || b.type == null) {
            throw new Unusable("no CloudEvent id or type");
        }
        Instant time = instant(b.timeText);
        // The ingress writes the same instant in both: parse it once.
        Instant occurredAt = b.occurredAtText == null ? time
                : b.occurredAtText.equals(b.timeText) ? time : instant(b.occurredAtText);
        if (time == null) {
            time = occurredAt;
        }
        return new WalletEvent(b.id, b.type, time, b.subject, b.playerId != null ? b.playerId : b.subject, b.currency, b.amount,
                b.balanceAfter, b.sequence, b.betId, b.transactionId, occurredAt, b.reversedOperation, b.reversedTransactionId,
                b.cashout, b.status, b.reason, b.timeText, b.occurredAtText != null ? b.occurredAtText : b.timeText, b.playerSeq,
                b.stake, instant(b.reversedOccurredAtText),
                b.bonusId == null && b.promotionId == null ? null
                        : new Bonus(b.bonusId, b.bonusType, b.bonusStake, b.expiresAt, b.promotionId, b.promotionClaimsLeft),
                !b.excludedUntilSeen ? null : b.excludedUntilText == null ? Instant.MAX : instant(b.excludedUntilText),
                b.limitKind == null ? null : new Limit(b.limitKind, b.period, b.periodStart, b.limit, b.usage));
    }

    private static final class Builder {
        String id;
        String type;
        String timeText;
        String subject;
        String playerId;
        String currency;
        long amount;
        Long balanceAfter;
        Long sequence;
        String betId;
        String transactionId;
        String occurredAtText;
        String reversedOperation;
        String reversedTransactionId;
        boolean cashout;
        String status;
        String reason;
        Long playerSeq;
        Long stake;
        String reversedOccurredAtText;
        String bonusId;
        String bonusType;
        Long bonusStake;
        String expiresAt;
        String promotionId;
        Long promotionClaimsLeft;
        /** data.excluded_until of wallet.player.excluded: present (seen) and null means indefinite. */
        boolean excludedUntilSeen;
        String excludedUntilText;
        String limitKind;
        String period;
        String periodStart;
        Long limit;
        Long usage;
    }

    private static void data(JsonParser p, Builder b) throws IOException, Unusable {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            switch (field) {
                case "player_id" -> b.playerId = text(p, t);
                case "currency" -> b.currency = text(p, t);
                case "amount" -> {
                    if (t != JsonToken.VALUE_NUMBER_INT) {
                        throw new Unusable("amount is not an integer (minor units)");
                    }
                    b.amount = p.getLongValue();
                }
                case "balance_after" -> b.balanceAfter = t == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : null;
                case "sequence" -> b.sequence = t == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : null;
                case "bet_id" -> b.betId = text(p, t);
                case "transaction_id" -> b.transactionId = text(p, t);
                case "occurred_at" -> b.occurredAtText = text(p, t);
                case "reversed_operation" -> b.reversedOperation = text(p, t);
                case "reversed_transaction_id" -> b.reversedTransactionId = text(p, t);
                case "is_cashout" -> b.cashout = t == JsonToken.VALUE_TRUE;
                case "status" -> b.status = text(p, t);
                case "reason" -> b.reason = text(p, t);
                case "player_seq" -> {
                    if (t != JsonToken.VALUE_NUMBER_INT || p.getLongValue() < 1) {
                        throw new Unusable("player_seq is not a positive integer");
                    }
                    b.playerSeq = p.getLongValue();
                }
                case "stake" -> b.stake = t == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : null;
                case "reversed_occurred_at" -> b.reversedOccurredAtText = text(p, t);
                case "bonus_id" -> b.bonusId = text(p, t);
                case "bonus_type" -> b.bonusType = text(p, t);
                case "bonus_stake" -> b.bonusStake = t == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : null;
                case "expires_at" -> b.expiresAt = text(p, t);
                case "promotion_id" -> b.promotionId = text(p, t);
                case "promotion_claims_left" -> b.promotionClaimsLeft = t == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : null;
                case "excluded_until" -> {
                    b.excludedUntilSeen = true;
                    b.excludedUntilText = text(p, t);
                }
                case "limit_kind" -> b.limitKind = text(p, t);
                case "period" -> b.period = text(p, t);
                case "period_start" -> b.periodStart = text(p, t);
                case "limit" -> b.limit = t == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : null;
                case "usage" -> b.usage = t == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : null;
                default -> p.skipChildren();
            }
        }
    }

    private static String text(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
            p.skipChildren();
            return null;
        }
        return p.getText();
    }

    static Instant instant(String text) throws Unusable {
        if (text == null) {
            return null;
        }
        Instant fast = parseUtc(text);
        if (fast != null) {
            return fast;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new Unusable("not an ISO date-time: " + text);
        }
    }

    /**
     * {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z} (what Instant.toString() writes), else null (then
     * the general parser decides).
     */
    static Instant parseUtc(String s) {
        int n = s.length();
        if (n < 20 || s.charAt(n - 1) != 'Z' || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T'
                || s.charAt(13) != ':' || s.charAt(16) != ':') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 7);
        int day = digits(s, 8, 10);
        int hour = digits(s, 11, 13);
        int minute = digits(s, 14, 16);
        int second = digits(s, 17, 19);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59
                || second < 0 || second > 59) {
            return null;
        }
        int nano = 0;
        if (n > 20) {
            if (s.charAt(19) != '.' || n - 21 < 1 || n - 21 > 9) {
                return null;
            }
            int f = digits(s, 20, n - 1);
            if (f < 0) {
                return null;
            }
            nano = f;
            for (int i = n - 21; i < 9; i++) {
                nano *= 10;
            }
        } else if (s.charAt(19) != 'Z') {
            return null;
        }
        if (day > java.time.YearMonth.of(year, month).lengthOfMonth()) {
            return null;
        }
        long days = java.time.LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(days * 86_400L + hour * 3_600L + minute * 60L + second, nano);
    }

    private static int digits(String s, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
