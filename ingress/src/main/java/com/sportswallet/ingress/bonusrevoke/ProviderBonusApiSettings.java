package com.sportswallet.ingress.bonusrevoke;

import java.net.URI;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import com.sportswallet.contracts.bonus.ProviderBonusApi;

import io.smallrye.config.ConfigMapping;

/**
 * Where the provider's bonus API is and how the ingress calls it (the operator's revoke, issue 14).
 * Defaults live once, in application.properties (with their environment variables).
 */
@ConfigMapping(prefix = "wallet.provider-bonus-api")
public interface ProviderBonusApiSettings {
    /** PROVIDER_BONUS_API_URL: the provider's bonus API (the simulator of scripts/up: http://127.0.0.1:8083). */
    URI url();

    /** PROVIDER_BONUS_API_CID: the partner id the provider gave the operator. */
    String cid();

    /** PROVIDER_BONUS_API_SECRET: the partner secret every call is signed with (at least 32 bytes). */
    String secret();

    /** PROVIDER_BONUS_API_TIMEOUT_MS: one attempt's bound, connection included. */
    long requestTimeoutMs();

    /** PROVIDER_BONUS_API_ATTEMPTS_MAX: attempts per call, the first included. */
    int attemptsMax();

    /** PROVIDER_BONUS_API_BACKOFF_MS_MAX: the longest pause between two attempts. */
    long backoffMsMax();

    /** The one client, built (and its bounds checked) from these settings. */
    @ApplicationScoped
    class Client {
        @Produces
        @ApplicationScoped
        ProviderBonusApi api(ProviderBonusApiSettings s) {
            return new ProviderBonusApi(new ProviderBonusApi.Config(s.url(), s.cid(), s.secret(), s.requestTimeoutMs(), s.attemptsMax(),
                    s.backoffMsMax()));
        }
    }
}
