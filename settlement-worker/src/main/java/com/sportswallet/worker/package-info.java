/**
 * settlement-worker: consumes {@code settlement.commands} and applies the pending credits that the
 * ingress decided, exactly once, in batches (issue 4). Today it runs the shared outbox relay
 * ({@code com.sportswallet.outbox.RelayService}) and creates the topics.
 */
package com.sportswallet.worker;
