-- The state of each (request_id, player) a batch of bonus.grants records names: PENDING is still
-- to be chunked; CHUNKED, GRANTED or REJECTED was taken care of; no row means the record names no
-- recorded player (poison). A read without locks.
SELECT u.request_id, u.player_id, p.status
FROM unnest(:request_ids::text[], :player_ids::text[]) AS u(request_id, player_id)
LEFT JOIN bonus_grant_player p ON p.request_id = u.request_id AND p.player_id = u.player_id;
