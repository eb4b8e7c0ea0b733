-- +goose Up
-- Tickets: handoffs routed to the counsellors of an organisation, with the
-- replies of both sides (content/ticket.go). Organisations and counsellors are
-- never deleted by the store (counsellors are disabled); a person's tickets
-- and every message on them still go with the person (handoffs and
-- handoff_messages reference users ON DELETE CASCADE).
--
-- Existing rows keep working: every new handoffs column is NULL or has a
-- default (not routed, no escalation, unanswered, not closed by anyone), and
-- every existing message is the person's.

-- A body whose counsellors answer young people. A city organisation is one
-- of the cities (tenants); no other kind names a city.
CREATE TABLE organisations (
    id         uuid        PRIMARY KEY,
    name       text        NOT NULL CHECK (btrim(name) <> '' AND char_length(name) <= 200),
    kind       text        NOT NULL CHECK (kind IN ('city', 'dcy', 'school', 'ngo', 'national')),
    city_id    uuid        REFERENCES cities (id),
    created_at timestamptz NOT NULL,
    CHECK ((kind = 'city') = (city_id IS NOT NULL))
);

-- A person who answers tickets for the areas they cover. hours is a JSON
-- array of {"day": 0-6 (Sunday = 0), "from": "HH:MM", "to": "HH:MM"}, in
-- Thailand. Only the SHA-256 of their sign-in secret is kept. (id, org_id) is
-- what tickets' assignees reference, so an assignee is always one of the
-- ticket's organisation. No index finds counsellors by province: the store
-- does not route in SQL (the router reads an organisation's counsellors).
CREATE TABLE counsellors (
    id           uuid        PRIMARY KEY,
    org_id       uuid        NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    name         text        NOT NULL CHECK (btrim(name) <> '' AND char_length(name) <= 200),
    role         text        NOT NULL CHECK (role IN ('counsellor', 'supervisor')),
    provinces    text[]      NOT NULL DEFAULT '{}',
    districts    text[]      NOT NULL DEFAULT '{}',
    national     boolean     NOT NULL DEFAULT false,
    hours        jsonb       NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(hours) = 'array'),
    line_user_id text        CONSTRAINT counsellors_line_user_id_key UNIQUE CHECK (line_user_id <> ''),
    token_hash   text        CONSTRAINT counsellors_token_hash_key UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    created_at   timestamptz NOT NULL,
    disabled_at  timestamptz,
    CONSTRAINT counsellors_id_org_key UNIQUE (id, org_id),
    CHECK (NOT national OR (cardinality(provinces) = 0 AND cardinality(districts) = 0))
);
CREATE INDEX counsellors_org_name_idx ON counsellors (org_id, name COLLATE "C", id);

-- Routing (org_id .. district), escalation, assignment, the first counsellor
-- reply, closing and the person's answer to "did it help?".
ALTER TABLE handoffs
    ADD COLUMN org_id         uuid        REFERENCES organisations (id),
    ADD COLUMN level          text        NOT NULL DEFAULT '' CHECK (level IN ('', 'district', 'province', 'national')),
    ADD COLUMN province       text        NOT NULL DEFAULT '',
    ADD COLUMN district       text        NOT NULL DEFAULT '',
    ADD COLUMN escalation     int         NOT NULL DEFAULT 0 CHECK (escalation BETWEEN 0 AND 2),
    ADD COLUMN escalated_at   timestamptz,
    ADD COLUMN assignee_id    uuid,
    ADD COLUMN first_reply_at timestamptz,
    ADD COLUMN closed_at      timestamptz,
    ADD COLUMN closed_by      uuid,
    ADD COLUMN helped         text        NOT NULL DEFAULT '' CHECK (helped IN ('', 'yes', 'no')),
    ADD CONSTRAINT handoffs_assignee_fkey FOREIGN KEY (assignee_id, org_id) REFERENCES counsellors (id, org_id),
    ADD CONSTRAINT handoffs_assignee_routed CHECK (assignee_id IS NULL OR org_id IS NOT NULL);
-- An organisation's inbox: urgent first, then oldest.
CREATE INDEX handoffs_inbox_idx ON handoffs (org_id, status, urgent DESC, at);
-- Routed, open, unanswered tickets by when their escalation counts from
-- (DueEscalations). Handoffs from before tickets are not routed, so never due.
CREATE INDEX handoffs_due_escalation_idx ON handoffs ((coalesce(escalated_at, at)), id)
    WHERE status = 'open' AND org_id IS NOT NULL AND first_reply_at IS NULL AND escalation < 2;
-- Closed tickets by when they closed (PurgeHandoffMessages).
CREATE INDEX handoffs_closed_idx ON handoffs ((coalesce(closed_at, at))) WHERE status = 'closed';

-- Who wrote a message (the person, a counsellor, the bot) and, for a reply,
-- the retry key its push uses and how its delivery went.
ALTER TABLE handoff_messages
    ADD COLUMN author        text        NOT NULL DEFAULT 'person' CHECK (author IN ('person', 'counsellor', 'bot')),
    ADD COLUMN counsellor_id uuid        REFERENCES counsellors (id),
    ADD COLUMN retry_key     uuid,
    ADD COLUMN status        text        CHECK (status IN ('pending', 'sent', 'failed')),
    ADD COLUMN sent_at       timestamptz,
    ADD CONSTRAINT handoff_messages_counsellor CHECK ((author = 'counsellor') = (counsellor_id IS NOT NULL));

-- +goose Down
-- Replies could not exist before: once author is gone they would read as
-- something the person typed, so they go.
DELETE FROM handoff_messages WHERE author <> 'person';
ALTER TABLE handoff_messages
    DROP CONSTRAINT handoff_messages_counsellor,
    DROP COLUMN sent_at,
    DROP COLUMN status,
    DROP COLUMN retry_key,
    DROP COLUMN counsellor_id,
    DROP COLUMN author;
DROP INDEX handoffs_closed_idx;
DROP INDEX handoffs_due_escalation_idx;
DROP INDEX handoffs_inbox_idx;
ALTER TABLE handoffs
    DROP CONSTRAINT handoffs_assignee_routed,
    DROP CONSTRAINT handoffs_assignee_fkey,
    DROP COLUMN helped,
    DROP COLUMN closed_by,
    DROP COLUMN closed_at,
    DROP COLUMN first_reply_at,
    DROP COLUMN assignee_id,
    DROP COLUMN escalated_at,
    DROP COLUMN escalation,
    DROP COLUMN district,
    DROP COLUMN province,
    DROP COLUMN level,
    DROP COLUMN org_id;
DROP TABLE counsellors;
DROP TABLE organisations;
