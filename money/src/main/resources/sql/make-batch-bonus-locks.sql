-- bet/make, a batch whose members name a bonus (issue 14), after make-batch-bets.sql in its round
-- trip: the bonus rows they name, in id order, FOR NO KEY UPDATE after the sessions (the lock order).
-- A member's redemption (bonus-redeem.sql) comes later, after earlier members' wallet statements, on
-- a row the batch already holds, so it never waits there. A batch naming no bonus sends nothing
-- (issue 16: a statement less on every cash make).
SELECT id FROM bonus WHERE id = ANY(:bonus_ids::text[]) AND player_id = :player_id ORDER BY id COLLATE "C" FOR NO KEY UPDATE;
