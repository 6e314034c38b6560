package com.sportswallet.ingress.provider;

/**
 * A callback refused under the provider protocol: HTTP 400 with {"code": N, "message": text}.
 * Thrown inside the callback's transaction it rolls everything back, so a refusal writes
 * nothing and the same key may be tried again.
 */
public class ProtocolException extends RuntimeException {
    public static final int PLAYER_BLOCKED = 1005;
    public static final int PLAYER_NOT_FOUND = 1006;
    /** A make whose session is missing, unknown, another player's, ended or expired (issue 15; make only). */
    public static final int SESSION_INVALID = 1007;
    public static final int NOT_ENOUGH_MONEY = 2001;
    public static final int INVALID_CURRENCY = 2002;
    public static final int PARENT_NOT_FOUND = 2003;
    public static final int BAD_REQUEST = 2004;
    public static final int INVALID_JWT = 2005;
    /** A make's bonus that we never granted, or that is not usable now (another player's, used, revoked, expired, another type or currency). */
    public static final int BONUS_INVALID = 3001;
    /** A make whose cash stake would take the player's wager or loss usage of a day, week or month above a limit in force (issue 15). */
    public static final int LIMIT_EXCEEDED = 4001;
    /** A freebet make whose stake is above its bonus's amount. */
    public static final int BONUS_LIMIT_EXCEEDED = 4002;

    private final int code;

    public ProtocolException(int code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static ProtocolException badRequest(String message) {
        return new ProtocolException(BAD_REQUEST, message);
    }
}
