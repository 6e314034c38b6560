package com.sportswallet.notifier.webhook;

/**
 * Whether a crm event can be posted at all, decided before any HTTP call. A record that fails here fails the
 * same way on every attempt and after every restart; it used to reach the request builder, whose
 * IllegalArgumentException ended the delivery loop, and the supervisor's fresh loop read the same record
 * again: one record stopped the webhook for every player (issue 12). Checked up front, rather than by
 * catching that exception around the send, so that an IllegalArgumentException from a bug anywhere else still
 * ends the loop loudly instead of dead-lettering good events as poison.
 */
final class EventCheck {
    private EventCheck() {
    }

    /** Why this event can never be delivered (the dead letter's reason), or null when it can be posted. */
    static String whyUndeliverable(DeliveredMarks.Parsed event) {
        if (event.malformed() != null) {
            return "not a CloudEvent: " + event.malformed();
        }
        if (event.id() == null || event.id().isEmpty()) {
            return "not a CloudEvent: no id"; // every POST carries ce-id, by which the receiver drops a re-post
        }
        String problem = headerValueProblem(event.id());
        return problem == null ? null : "ce-id is not a valid HTTP header value: " + problem;
    }

    /**
     * What keeps {@code value} from being sent unchanged as an HTTP header value (RFC 9110 field-value: visible
     * ASCII, with spaces or tabs only between), or null. Stricter than java.net.http, which refuses control
     * characters, DEL and anything beyond U+00FF: it accepts U+0080..U+00FF but writes each as '?', and the
     * receiver strips whitespace at either end; either way ce-id would arrive as another id than the event's,
     * and two events could share one. Never looser than the client (EventCheckTest asks it for every
     * char), so a value that passes cannot make the request builder throw.
     */
    static String headerValueProblem(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!isBlank(c) && (c < 0x21 || c > 0x7e)) {
                return String.format("U+%04X at %d", (int) c, i);
            }
        }
        if (!value.isEmpty() && (isBlank(value.charAt(0)) || isBlank(value.charAt(value.length() - 1)))) {
            return "whitespace at an end";
        }
        return null;
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }
}
