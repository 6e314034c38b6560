package com.sportswallet.ingress.provider.service;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.SystemException;
import jakarta.transaction.TransactionManager;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.sportswallet.ingress.provider.service.BetMakeService.Betslip;

import io.quarkus.runtime.StartupEvent;

/**
 * The reference rows (sports, categories, tournaments, events) this ingress has seen committed, by
 * kind and id (issue 16: "reference rows already known need no upsert"). A make's batch sends
 * {@code make-reference.sql} only for the rows of its betslips not known here, and skips its four
 * statements when it knows them all: a sportsbook's bets name a few thousand live events, each
 * upserted by every make until now (a conflicting insert-if-absent still probes the index and takes
 * a tuple lock check). An id is remembered only once the transaction that upserted it committed, so
 * a known id is a row that exists: reference rows are never deleted, and the upsert does nothing to a
 * row that exists (ON CONFLICT DO NOTHING: a later name is not stored), so skipping it changes
 * nothing a make writes.
 *
 * <p>Bound: {@code MAKE_REFERENCE_IDS_MAX} ids (about 150 bytes each: 50,000 ids cost some 7 MB of
 * heap); past it the least recently used are forgotten and upserted again at their next make. 0
 * turns the cache off (every make upserts its rows, as before).
 */
@ApplicationScoped
public class KnownReferences {
    /** Far above a sportsbook's live events; a bound on the heap the cache may take. */
    static final int IDS_MAX_BOUND = 10_000_000;

    @ConfigProperty(name = "wallet.make.reference-ids-max")
    int idsMax;

    private volatile Cache<String, Boolean> known;

    void start(@Observes StartupEvent event) {
        if (idsMax < 0 || idsMax > IDS_MAX_BOUND) {
            throw new IllegalStateException("MAKE_REFERENCE_IDS_MAX (" + idsMax + ") must be within 0.." + IDS_MAX_BOUND);
        }
        known = idsMax == 0 ? null : Caffeine.newBuilder().maximumSize(idsMax).build();
    }

    /** The rows of {@code slip} not known to be committed: what the batch still upserts (empty when it knows them all). */
    Betslip unknown(Betslip slip) {
        Cache<String, Boolean> cache = known;
        if (cache == null) {
            return slip;
        }
        Betslip out = new Betslip();
        keepUnknown(cache, "sport", slip.sports, out.sports);
        keepUnknown(cache, "category", slip.categories, out.categories);
        keepUnknown(cache, "tournament", slip.tournaments, out.tournaments);
        keepUnknown(cache, "event", slip.events, out.events);
        return out;
    }

    /**
     * Remembers {@code upserted}'s ids once the current transaction commits (never on a rollback:
     * then the rows may not exist).
     */
    void rememberOnCommit(TransactionManager transactions, Betslip upserted) throws SystemException {
        Cache<String, Boolean> cache = known;
        if (cache == null || upserted.isEmpty()) {
            return;
        }
        List<String> keys = new ArrayList<>();
        upserted.sports.keySet().forEach(id -> keys.add(key("sport", id)));
        upserted.categories.keySet().forEach(id -> keys.add(key("category", id)));
        upserted.tournaments.keySet().forEach(id -> keys.add(key("tournament", id)));
        upserted.events.keySet().forEach(id -> keys.add(key("event", id)));
        try {
            transactions.getTransaction().registerSynchronization(new Synchronization() {
                @Override
                public void beforeCompletion() {
                }

                @Override
                public void afterCompletion(int status) {
                    if (status == Status.STATUS_COMMITTED) {
                        keys.forEach(k -> cache.put(k, Boolean.TRUE));
                    }
                }
            });
        } catch (RollbackException rolledBack) {
            // Marked for rollback already: nothing will be committed, nothing to remember.
        }
    }

    private static <V> void keepUnknown(Cache<String, Boolean> cache, String kind, Map<String, V> rows, Map<String, V> out) {
        rows.forEach((id, row) -> {
            if (cache.getIfPresent(key(kind, id)) == null) {
                out.put(id, row);
            }
        });
    }

    private static String key(String kind, String id) {
        return kind + '\u0000' + id;
    }
}
