-- +goose Up
-- What the guidance conversations record. Every table naming a person references
-- users(id) ON DELETE CASCADE, so deleting the user row deletes everything about
-- them (the anonymous deletions counter aside).

-- Settings that are not personal data (push subscriptions, language).
ALTER TABLE users ADD COLUMN settings jsonb NOT NULL DEFAULT '{}';

-- Every answer to the privacy notice, kept as history; the latest (by at) wins.
CREATE TABLE consents (
    id       bigserial   PRIMARY KEY,
    user_id  text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    version  text        NOT NULL,
    accepted boolean     NOT NULL,
    at       timestamptz NOT NULL
);
CREATE INDEX consents_user_latest_idx ON consents (user_id, at DESC, id DESC);

-- Profile fields given after consent. The generated columns copy the fields that
-- audience queries filter on; a non-numeric age becomes NULL.
CREATE TABLE profiles (
    user_id    text        PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    fields     jsonb       NOT NULL DEFAULT '{}',
    updated_at timestamptz NOT NULL,
    province   text GENERATED ALWAYS AS (fields->>'province') STORED,
    district   text GENERATED ALWAYS AS (fields->>'district') STORED,
    age        int  GENERATED ALWAYS AS (
        CASE WHEN (fields->>'age') ~ '^[0-9]{1,3}$' THEN (fields->>'age')::int END
    ) STORED
);
CREATE INDEX profiles_province_district_idx ON profiles (province, district);
CREATE INDEX profiles_age_idx ON profiles (age);

-- A minor's guardian: the code the young person gave, and who confirmed it. One
-- record per youth: a new code replaces an unconfirmed one, and a confirmed
-- record is final. Codes are stored upper case; the store keeps an unexpired code
-- unique (under an advisory lock, since "unexpired" depends on the time).
CREATE TABLE guardians (
    youth_id     text        PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    code         text        NOT NULL CHECK (code = upper(code) AND code <> ''),
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    guardian_id  text        REFERENCES users (id) ON DELETE CASCADE,
    confirmed_at timestamptz,
    CHECK ((guardian_id IS NULL) = (confirmed_at IS NULL))
);
CREATE INDEX guardians_code_idx ON guardians (code, expires_at);
CREATE INDEX guardians_guardian_idx ON guardians (guardian_id);

-- Individual learning plans: one per person, replaced as a whole.
CREATE TABLE plans (
    user_id  text        PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    steps    jsonb       NOT NULL DEFAULT '[]',
    saved_at timestamptz NOT NULL
);

-- Outcomes reported at check-ins, counted by kind for the indicators.
CREATE TABLE outcomes (
    id      bigserial   PRIMARY KEY,
    user_id text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind    text        NOT NULL,
    source  text        NOT NULL DEFAULT '',
    at      timestamptz NOT NULL
);
CREATE INDEX outcomes_kind_idx ON outcomes (kind);
CREATE INDEX outcomes_user_idx ON outcomes (user_id);

-- Messages to push later. A claimer holds a pending row until claimed_until;
-- when that passes without a finish, the row is claimed again.
CREATE TABLE scheduled (
    id            uuid        PRIMARY KEY,
    user_id       text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind          text        NOT NULL,
    node          text        NOT NULL DEFAULT '',
    due_at        timestamptz NOT NULL,
    retry_key     uuid        NOT NULL,
    status        text        NOT NULL DEFAULT 'pending'
                              CHECK (status IN ('pending', 'sent', 'skipped', 'cancelled')),
    reason        text        NOT NULL DEFAULT '',
    sent_at       timestamptz,
    claimed_until timestamptz
);
CREATE INDEX scheduled_pending_due_idx ON scheduled (due_at) WHERE status = 'pending';
CREATE INDEX scheduled_user_idx ON scheduled (user_id, kind);

-- Requests for a human counsellor.
CREATE TABLE handoffs (
    id      uuid        PRIMARY KEY,
    user_id text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reason  text        NOT NULL DEFAULT '',
    urgent  boolean     NOT NULL DEFAULT false,
    at      timestamptz NOT NULL,
    status  text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed'))
);
CREATE INDEX handoffs_open_idx ON handoffs (urgent DESC, at) WHERE status = 'open';
CREATE INDEX handoffs_user_idx ON handoffs (user_id);

-- How many people deleted their data, per day (UTC). No user IDs, on purpose.
CREATE TABLE deletions (
    day date PRIMARY KEY,
    n   int  NOT NULL CHECK (n >= 0)
);

-- +goose Down
DROP TABLE deletions;
DROP TABLE handoffs;
DROP TABLE scheduled;
DROP TABLE outcomes;
DROP TABLE plans;
DROP TABLE guardians;
DROP TABLE profiles;
DROP TABLE consents;
ALTER TABLE users DROP COLUMN settings;
