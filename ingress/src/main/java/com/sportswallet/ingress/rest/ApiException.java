package com.sportswallet.ingress.rest;

/**
 * A refused request: HTTP status, a stable machine-readable code and a human message. Thrown
 * inside a transaction it rolls everything back, so a refused request writes nothing.
 */
public class ApiException extends RuntimeException {
    private final int status;
    private final String code;

    public ApiException(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public static ApiException badRequest(String code, String message) {
        return new ApiException(400, code, message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, "player_not_found", message);
    }
}
