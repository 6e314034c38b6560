-- bet/make: the betslip's reference rows, insert-if-absent in a fixed order (sport, category,
-- tournament, event) with rows sorted by id, so concurrent makes naming the same new sport neither
-- fail nor deadlock. A batch of makes (issue 16) sends the union of its members' rows, once, sorted,
-- before its first bet row (the lock order: reference rows, bets, player, session, credits, wallet).
-- Arrays are bound whole (one parameter each).
INSERT INTO sport (id, name) SELECT * FROM unnest(:sport_ids::text[], :sport_names::text[]) ORDER BY 1 ON CONFLICT DO NOTHING;
INSERT INTO category (id, sport_id, name) SELECT * FROM unnest(:category_ids::text[], :category_sport_ids::text[], :category_names::text[])
ORDER BY 1 ON CONFLICT DO NOTHING;
INSERT INTO tournament (id, category_id, name) SELECT * FROM unnest(:tournament_ids::text[], :tournament_category_ids::text[], :tournament_names::text[])
ORDER BY 1 ON CONFLICT DO NOTHING;
INSERT INTO sport_event (id, tournament_id, name, scheduled)
SELECT * FROM unnest(:event_ids::text[], :event_tournament_ids::text[], :event_names::text[], :event_scheduled::bigint[])
ORDER BY 1 ON CONFLICT DO NOTHING;
