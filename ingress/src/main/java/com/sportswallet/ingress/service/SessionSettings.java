package com.sportswallet.ingress.service;

import io.smallrye.config.ConfigMapping;

/**
 * Player sessions (issue 15). Defaults live once, in application.properties (with their environment
 * variables).
 */
@ConfigMapping(prefix = "wallet.sessions")
public interface SessionSettings {
    /**
     * SESSIONS_REQUIRED (default true, as production runs): bet/make needs the {@code session_id} of
     * an open session of its player, else 1007. False: the wallet does not own sessions, and a make's
     * {@code session_id}, present or not, is not looked at (the reference protocol's provider always
     * sends one, which names the operator's own session when the operator keeps sessions elsewhere).
     */
    boolean required();
}
