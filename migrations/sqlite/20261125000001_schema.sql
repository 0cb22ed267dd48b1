-- Projitt Meet schema (SQLite). Times are integer milliseconds since the Unix epoch, UTC.
-- Keep in step with ../postgres/ (same tables, columns and indexes).

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT    NOT NULL,
    email         TEXT    NOT NULL UNIQUE, -- stored lower-cased
    password_hash TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL
);

CREATE TABLE meetings (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id         BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title            TEXT    NOT NULL,
    scheduled_at     BIGINT  NOT NULL,
    duration_minutes BIGINT  NOT NULL,
    status           TEXT    NOT NULL DEFAULT 'scheduled'
                     CHECK (status IN ('scheduled', 'started', 'ended', 'cancelled')),
    join_code        TEXT    NOT NULL UNIQUE,
    started_at       BIGINT,
    ended_at         BIGINT,
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL
);
CREATE INDEX meetings_owner ON meetings (owner_id, scheduled_at);

CREATE TABLE invitations (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id      BIGINT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    inviter_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    invitee_user_id BIGINT REFERENCES users (id) ON DELETE CASCADE, -- NULL until the address registers
    invitee_email   TEXT   NOT NULL, -- lower-cased; also set when inviting by account
    status          TEXT   NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'accepted', 'rejected', 'proposed')),
    proposed_time   BIGINT,
    comment         TEXT,
    responded_at    BIGINT,
    created_at      BIGINT NOT NULL,
    UNIQUE (meeting_id, invitee_email)
);
CREATE INDEX invitations_invitee ON invitations (invitee_user_id, status);
CREATE INDEX invitations_email ON invitations (invitee_email) WHERE invitee_user_id IS NULL;

CREATE TABLE meeting_participants (
    meeting_id   BIGINT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    joined_at    BIGINT NOT NULL,
    left_at      BIGINT,
    last_seen_at BIGINT NOT NULL,
    PRIMARY KEY (meeting_id, user_id)
);
CREATE INDEX participants_present ON meeting_participants (meeting_id, last_seen_at) WHERE left_at IS NULL;

CREATE TABLE recordings (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id   BIGINT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    participants TEXT   NOT NULL, -- JSON list of {user_id, name, email}
    started_at   BIGINT NOT NULL,
    ended_at     BIGINT,
    file_path    TEXT,
    size_bytes   BIGINT,
    created_at   BIGINT NOT NULL
);
CREATE INDEX recordings_meeting ON recordings (meeting_id, created_at);
-- At most one running recording per meeting.
CREATE UNIQUE INDEX recordings_one_active ON recordings (meeting_id) WHERE ended_at IS NULL;

CREATE TABLE ai_notes (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id      BIGINT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    transcript_text TEXT   NOT NULL,
    key_points      TEXT   NOT NULL, -- JSON list of strings
    sentiment       TEXT   NOT NULL CHECK (sentiment IN ('neutral', 'positive', 'negative')),
    created_at      BIGINT NOT NULL
);
CREATE INDEX ai_notes_meeting ON ai_notes (meeting_id, id);

CREATE TABLE rtc_signals (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id   BIGINT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    from_user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    to_user_id   BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    type         TEXT   NOT NULL CHECK (type IN ('offer', 'answer', 'candidate', 'bye')),
    payload      TEXT   NOT NULL, -- JSON object
    created_at   BIGINT NOT NULL,
    acked_at     BIGINT
);
-- The inbox: one recipient's unacknowledged signals in a meeting, in id order.
CREATE INDEX rtc_signals_inbox ON rtc_signals (meeting_id, to_user_id, id) WHERE acked_at IS NULL;
CREATE INDEX rtc_signals_acked ON rtc_signals (acked_at) WHERE acked_at IS NOT NULL;

CREATE TABLE sessions (
    id          TEXT   PRIMARY KEY,
    data        TEXT   NOT NULL, -- JSON
    expiry_date BIGINT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expiry_date);

CREATE TABLE revoked_tokens (
    jti        TEXT   PRIMARY KEY,
    expires_at BIGINT NOT NULL
);
CREATE INDEX revoked_tokens_expiry ON revoked_tokens (expires_at);
