package com.sportswallet.ingress;

import java.util.Map;

import com.sportswallet.ingress.provider.ProviderTokens;
import com.sportswallet.testkit.OperatorKeys;

/**
 * The ingress's test keys: the operator's (trusted by the operator API; keys and tokens from the
 * testkit's {@link OperatorKeys}, shared with the notifier's tests) and the provider's callback
 * keys ({@link ProviderTokens}).
 */
public final class TestKeys extends OperatorKeys {
    @Override
    public Map<String, String> start() {
        Map<String, String> config = OperatorKeys.config();
        // The provider's callback keys (two at once: rotation) and the operator id they must name.
        config.putAll(ProviderTokens.config());
        return config;
    }
}
