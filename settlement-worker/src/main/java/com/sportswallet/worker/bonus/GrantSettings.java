package com.sportswallet.worker.bonus;

import io.smallrye.config.ConfigMapping;

/**
 * The granting consumer's settings (issue 14). Defaults live once, in application.properties, with
 * their environment variables.
 */
@ConfigMapping(prefix = "wallet.bonus-grants")
public interface GrantSettings {
    /** BONUS_GRANTS_ENABLED: runs the granting consumer and its re-drive in this process. */
    boolean enabled();

    /** PROVIDER_BONUS_API_URL: the provider's bonus API (scripts/up: the simulator on 8083). */
    String providerUrl();

    /** PROVIDER_BONUS_API_CID: the partner id the provider gave the operator. */
    String providerCid();

    /** PROVIDER_BONUS_API_SECRET: the partner secret that signs every call (at least 32 bytes). */
    String providerSecret();

    /** PROVIDER_BONUS_API_TIMEOUT_MS: one call attempt's bound. */
    long providerTimeoutMs();

    /** PROVIDER_BONUS_API_ATTEMPTS_MAX: attempts per call, the first included. */
    int providerAttemptsMax();

    /** PROVIDER_BONUS_API_BACKOFF_MS_MAX: the longest pause between two attempts of one call. */
    long providerBackoffMsMax();

    /** BONUS_GRANT_CHUNK_PLAYERS_MAX: players per provider call (1..1000, the provider's limit). */
    int chunkPlayersMax();

    /** BONUS_GRANT_POLL_RECORDS_MAX: bonus.grants records per poll. */
    int pollRecordsMax();

    /** BONUS_GRANT_POLL_TIMEOUT_MS: longest wait in one poll. */
    long pollTimeoutMs();

    /** BONUS_GRANT_BACKOFF_MS_MIN / _MAX: pauses after a failed batch (doubling), and between the loop's restarts. */
    long backoffMsMin();

    long backoffMsMax();

    /** BONUS_GRANT_DLQ_SEND_TIMEOUT_MS: longest wait for bonus.grants.dlq's acknowledgement. */
    long dlqSendTimeoutMs();

    /** BONUS_GRANT_REDRIVE_AFTER_MS: a chunk CALLING longer than this is called again. */
    long redriveAfterMs();

    /** BONUS_GRANT_PENDING_REDRIVE_AFTER_MS: a player PENDING longer than this is chunked from the database. */
    long pendingRedriveAfterMs();

    /** BONUS_GRANT_REDRIVE_INTERVAL_MS: the pause between two re-drive rounds. */
    long redriveIntervalMs();

    /** BONUS_GRANT_REDRIVE_CHUNKS_MAX: chunks one re-drive round leases. */
    int redriveChunksMax();

    /** BONUS_GRANT_REDRIVE_PLAYERS_MAX: stale PENDING players one round reads. */
    int redrivePlayersMax();
}
