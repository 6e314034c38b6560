-- Issue 15, first slice: player sessions. The operator opens one when it launches the sportsbook for
-- a player (POST /operator/players/{id}/sessions), extends it (PUT) and ends it (DELETE); bet/make
-- refuses with 1007 a session that is unknown, another player's, ended, or expired at the make's
-- clock instant (docs/PROTOCOL.md). Settlements never look at it.
--
-- A session never comes back: ended_at, once set, stays; an extension is refused once expires_at
-- has passed. So "bad" is a stable property and a make may refuse on an unlocked read; only an
-- acceptance needs the row read again under FOR SHARE (make-bet.sql), which an end or extension
-- (an UPDATE of this row) waits for, and which waits for them.
CREATE TABLE player_session (
    id          text        PRIMARY KEY,                          -- a random UUID the wallet chooses
    player_id   text        NOT NULL REFERENCES player (id),
    created_at  timestamptz NOT NULL,                             -- the wallet clock's instant, not now()
    expires_at  timestamptz NOT NULL,                             -- no make at or after it
    ended_at    timestamptz,                                      -- DELETE's instant; NULL while not ended
    CHECK (expires_at > created_at),
    CHECK (ended_at IS NULL OR ended_at >= created_at)
);
COMMENT ON TABLE player_session IS 'A player''s sportsbook session: bet/make needs an open one (issue 15, code 1007).';
CREATE INDEX player_session_player ON player_session (player_id);
