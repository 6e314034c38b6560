-- Issue 17: the console's player page lists the player's sessions, newest first
-- (GET /operator/players/{id}/sessions, PlayerReads.sessions). player_session_player (player_id) finds
-- them but must sort every one of the player's sessions to return the newest few, and a session is
-- opened per sportsbook launch, so a long-time player has many. This index walks them newest first and
-- stops at the limit. It replaces player_session_player: its prefix serves every query that used it
-- (session-end-all.sql, the foreign key to player), so opening a session still maintains one index here
-- beside the primary key (as V21 did for bet_player).
CREATE INDEX player_session_player_created ON player_session (player_id, created_at DESC, id DESC);
DROP INDEX player_session_player;
