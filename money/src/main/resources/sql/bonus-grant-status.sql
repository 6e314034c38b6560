-- A grant's progress: its players, the rejections counted when it was recorded, and its recorded
-- players by outcome: GRANTED, and REJECTED by reason (later rejections, such as the provider's
-- refusals, are player rows; the operator's view adds them to the record-time counts).
SELECT g.request_hash, g.players_total,
  g.rejected_unknown_player + count(p.player_id) FILTER (WHERE p.reject_reason = 'unknown_player') AS unknown_player,
  g.rejected_currency + count(p.player_id) FILTER (WHERE p.reject_reason = 'currency') AS currency,
  g.rejected_excluded + count(p.player_id) FILTER (WHERE p.reject_reason = 'excluded') AS excluded,
  g.rejected_duplicate + count(p.player_id) FILTER (WHERE p.reject_reason = 'duplicate') AS duplicate,
  count(p.player_id) FILTER (WHERE p.reject_reason = 'provider') AS provider,
  count(p.player_id) FILTER (WHERE p.status = 'GRANTED') AS granted
FROM bonus_grant g LEFT JOIN bonus_grant_player p ON p.request_id = g.request_id
WHERE g.request_id = :request_id AND g.source = 'GRANT'
GROUP BY g.request_id;
