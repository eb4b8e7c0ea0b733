-- +goose Up
-- Cities (tenants) that publish learning festivals to the residents of their
-- area, their API tokens and audit log, their festivals and announcements, and
-- the broadcasts that deliver announcements.
--
-- Everything a city owns carries city_id, and every store call that reads or
-- writes one of these objects filters on it, so a city never sees (or
-- overwrites) another's. Rows naming a person (taps) reference users(id) ON
-- DELETE CASCADE like every other personal-data table. The recipient lists of
-- broadcast chunks are the one exception: they are kept, unreferenced, so a
-- resend after a crash goes to exactly the same people under the same retry
-- key, and they are emptied 30 days after sending (PruneChunks), keeping only
-- their count.

-- StreamAudience walks users in byte order of their IDs (as Go compares
-- strings, whatever the database's collation), by this index.
CREATE INDEX users_id_bytewise_idx ON users (id COLLATE "C");

CREATE TABLE cities (
    id                uuid        PRIMARY KEY,
    name              text        NOT NULL CHECK (btrim(name) <> ''),
    provinces         text[]      NOT NULL CHECK (cardinality(provinces) > 0),
    districts         text[]      NOT NULL DEFAULT '{}',
    requires_approval boolean     NOT NULL DEFAULT false,
    created_at        timestamptz NOT NULL
);

-- API credentials: only the SHA-256 of the secret is kept. Tokens are revoked,
-- never deleted, so the audit log's token IDs keep meaning something.
CREATE TABLE tokens (
    id         uuid        PRIMARY KEY,
    city_id    uuid        NOT NULL REFERENCES cities (id) ON DELETE CASCADE,
    role       text        NOT NULL CHECK (role IN ('editor', 'approver')),
    label      text        NOT NULL DEFAULT '',
    hash       text        NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$'),
    created_at timestamptz NOT NULL,
    revoked_at timestamptz
);
CREATE INDEX tokens_city_idx ON tokens (city_id, created_at);

-- Who did what, when. token_id is NULL for an operator command; it has no
-- foreign key so the log stays append-only whatever happens to tokens.
CREATE TABLE audit_log (
    id       bigserial   PRIMARY KEY,
    city_id  uuid        NOT NULL REFERENCES cities (id) ON DELETE CASCADE,
    token_id uuid,
    action   text        NOT NULL CHECK (action <> ''),
    object   text        NOT NULL DEFAULT '',
    detail   text        NOT NULL DEFAULT '',
    at       timestamptz NOT NULL
);
CREATE INDEX audit_log_city_at_idx ON audit_log (city_id, at DESC, id DESC);

CREATE TABLE festivals (
    id         uuid             PRIMARY KEY,
    city_id    uuid             NOT NULL REFERENCES cities (id) ON DELETE CASCADE,
    title_th   text             NOT NULL CHECK (btrim(title_th) <> ''),
    title_en   text             NOT NULL DEFAULT '',
    desc_th    text             NOT NULL DEFAULT '',
    desc_en    text             NOT NULL DEFAULT '',
    starts_at  timestamptz      NOT NULL,
    ends_at    timestamptz      NOT NULL CHECK (ends_at >= starts_at),
    venue      text             NOT NULL DEFAULT '',
    address    text             NOT NULL DEFAULT '',
    province   text             NOT NULL DEFAULT '',
    district   text             NOT NULL DEFAULT '',
    lat        double precision NOT NULL DEFAULT 0,
    lng        double precision NOT NULL DEFAULT 0,
    activities text[]           NOT NULL DEFAULT '{}',
    image_url  text             NOT NULL DEFAULT '',
    info_url   text             NOT NULL DEFAULT '',
    tags       text[]           NOT NULL DEFAULT '{}',
    status     text             NOT NULL CHECK (status IN ('active', 'cancelled')),
    created_at timestamptz      NOT NULL,
    updated_at timestamptz      NOT NULL,
    -- What announcements reference, so an announcement's festival is always
    -- one of its own city's.
    UNIQUE (id, city_id)
);
-- Upcoming festivals of every city (the chat), and one city's list.
CREATE INDEX festivals_status_ends_idx ON festivals (status, ends_at);
CREATE INDEX festivals_city_idx ON festivals (city_id, starts_at);

-- An announcement tells an audience (jsonb: provinces, districts, age_min,
-- age_max, roles, interests) about a festival of the same city. A claimer holds
-- a due one until claimed_until, like scheduled messages.
CREATE TABLE announcements (
    id            uuid        PRIMARY KEY,
    city_id       uuid        NOT NULL REFERENCES cities (id) ON DELETE CASCADE,
    festival_id   uuid        NOT NULL,
    audience      jsonb       NOT NULL DEFAULT '{}',
    status        text        NOT NULL CHECK (status IN ('draft', 'pending_approval', 'scheduled', 'sending', 'sent', 'cancelled')),
    scheduled_at  timestamptz,
    claimed_until timestamptz,
    created_by    uuid,
    approved_by   uuid,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    FOREIGN KEY (festival_id, city_id) REFERENCES festivals (id, city_id),
    CHECK (status <> 'scheduled' OR scheduled_at IS NOT NULL)
);
CREATE INDEX announcements_due_idx ON announcements (scheduled_at) WHERE status = 'scheduled';
CREATE INDEX announcements_city_idx ON announcements (city_id, created_at);
CREATE INDEX announcements_festival_idx ON announcements (festival_id);

-- One multicast of a broadcast (at most 500 recipients), stored with its retry
-- key before it is sent. recipients_count stays when PruneChunks empties
-- recipients, so the figures survive. finished_at is when the outcome (sent
-- or failed) was recorded.
CREATE TABLE chunks (
    announcement_id  uuid        NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
    seq              int         NOT NULL CHECK (seq >= 0),
    recipients       text[]      NOT NULL,
    recipients_count int         NOT NULL CHECK (recipients_count BETWEEN 1 AND 500),
    retry_key        uuid        NOT NULL,
    status           text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts         int         NOT NULL DEFAULT 0,
    error            text        NOT NULL DEFAULT '',
    finished_at      timestamptz,
    PRIMARY KEY (announcement_id, seq)
);
-- Finished chunks whose recipient lists are still kept (PruneChunks).
CREATE INDEX chunks_prunable_idx ON chunks (finished_at)
    WHERE status IN ('sent', 'failed') AND cardinality(recipients) > 0;

-- How many of an announcement's audience were left out, by reason.
CREATE TABLE announcement_skips (
    announcement_id uuid PRIMARY KEY REFERENCES announcements (id) ON DELETE CASCADE,
    blocked         int  NOT NULL CHECK (blocked >= 0),
    opted_out       int  NOT NULL CHECK (opted_out >= 0),
    capped          int  NOT NULL CHECK (capped >= 0)
);

-- Taps on an announcement's buttons: once per person and button.
CREATE TABLE taps (
    announcement_id uuid        NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
    user_id         text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    button          text        NOT NULL CHECK (button <> ''),
    at              timestamptz NOT NULL,
    PRIMARY KEY (announcement_id, user_id, button)
);
CREATE INDEX taps_user_idx ON taps (user_id);

-- +goose Down
DROP TABLE taps;
DROP TABLE announcement_skips;
DROP TABLE chunks;
DROP TABLE announcements;
DROP TABLE festivals;
DROP TABLE audit_log;
DROP TABLE tokens;
DROP TABLE cities;
DROP INDEX users_id_bytewise_idx;
