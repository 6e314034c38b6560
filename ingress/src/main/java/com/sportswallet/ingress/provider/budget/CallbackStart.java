package com.sportswallet.ingress.provider.budget;

import jakarta.enterprise.context.RequestScoped;

/** When this request's callback budget started ({@link CallbackBudget#start}); none for other requests. */
@RequestScoped
public class CallbackStart {
    static final long NOT_STARTED = Long.MIN_VALUE;

    long startNanos = NOT_STARTED;
}
