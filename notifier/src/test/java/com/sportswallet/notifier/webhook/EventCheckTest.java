package com.sportswallet.notifier.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/**
 * The webhook's check before a POST ({@link EventCheck}): it must never pass a ce-id that the HTTP client
 * refuses (that refusal crash-looped the webhook, issue 12), and it must pass every id the notifier writes.
 */
class EventCheckTest {
    @Test
    void noIdThatPassesIsRefusedByTheHttpClient() {
        for (int c = 0; c <= Character.MAX_VALUE; c++) {
            for (String id : new String[] {"a" + (char) c + "b", String.valueOf((char) c)}) {
                if (EventCheck.headerValueProblem(id) == null) {
                    try {
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1/")).header("ce-id", id);
                    } catch (IllegalArgumentException e) {
                        fail("passed the check, refused by the client: U+" + Integer.toHexString(c), e);
                    }
                }
            }
        }
    }

    @Test
    void theIdsTheNotifierWritesPassAndWhatWouldNotArriveUnchangedDoesNot() {
        assertNull(EventCheck.headerValueProblem(UUID.randomUUID().toString()));
        assertNull(EventCheck.headerValueProblem("a b\tc~!"));
        assertEquals("U+000A at 1", EventCheck.headerValueProblem("a\nb"));
        assertEquals("U+0000 at 0", EventCheck.headerValueProblem("\u0000"));
        assertEquals("U+007F at 1", EventCheck.headerValueProblem("a\u007f"));
        assertEquals("U+00E9 at 3", EventCheck.headerValueProblem("caf\u00e9"), "accepted by the client but sent as '?'");
        assertEquals("U+D83D at 0", EventCheck.headerValueProblem("\ud83d\ude00"));
        assertEquals("whitespace at an end", EventCheck.headerValueProblem(" a"));
        assertEquals("whitespace at an end", EventCheck.headerValueProblem("a\t"));
    }

    @Test
    void whatIsNotOneJsonObjectWithAnIdIsUndeliverable() {
        assertNull(EventCheck.whyUndeliverable(DeliveredMarks.parse("{\"id\":\"x\",\"data\":{\"a\":[1,2]},\"sourceoffset\":\"3\"}")));
        assertEquals("not a CloudEvent: no value", EventCheck.whyUndeliverable(DeliveredMarks.parse(null)));
        assertEquals("not a CloudEvent: not a JSON object", EventCheck.whyUndeliverable(DeliveredMarks.parse("\"x\"")));
        assertEquals("not a CloudEvent: not a JSON object", EventCheck.whyUndeliverable(DeliveredMarks.parse("")));
        assertEquals("not a CloudEvent: more than one JSON value", EventCheck.whyUndeliverable(DeliveredMarks.parse("{\"id\":\"x\"}{}")));
        assertEquals("not a CloudEvent: no id", EventCheck.whyUndeliverable(DeliveredMarks.parse("{\"id\":null}")));
        String truncated = EventCheck.whyUndeliverable(DeliveredMarks.parse("{\"id\":\"x\",\"data\":{"));
        assertEquals("not a CloudEvent: not JSON", truncated.substring(0, "not a CloudEvent: not JSON".length()), truncated);
    }
}
