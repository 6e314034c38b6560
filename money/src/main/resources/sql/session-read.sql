-- A session as it stands (the operator's 404 and 409 answers say why an extension changed nothing).
SELECT id, player_id, created_at, expires_at, ended_at FROM player_session WHERE id = :session_id;
