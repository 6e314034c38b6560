-- After promotion-claim-take, in its own statement (its snapshot is taken once this claim holds its
-- slot :slot; the take's own snapshot predates that lock, and the question of the last slot needs the
-- later one): whether a slot above this claim's is free (a claim in flight still shows its slot free),
-- and the free slots besides its own, counted up to :count_max (a bounded cost whatever the size).
SELECT EXISTS (SELECT 1 FROM promotion_slot WHERE promotion_id = :promotion_id AND player_id IS NULL AND slot > :slot) AS free_above,
  (SELECT count(*) FROM (SELECT 1 FROM promotion_slot WHERE promotion_id = :promotion_id AND player_id IS NULL AND slot <> :slot
    LIMIT :count_max) c) AS free_other;
