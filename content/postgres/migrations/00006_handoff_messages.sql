-- +goose Up
-- What a person typed while waiting for a counsellor, kept with their handoff
-- for the counsellor who takes it. Deleting the user or the handoff deletes the
-- messages. text is as typed, cut by the store to 5,000 characters; seq keeps
-- the order in which messages were kept, so two typed at the same time come
-- back in that order (a UUID would order them at random).
CREATE TABLE handoff_messages (
    id         uuid        PRIMARY KEY,
    seq        bigserial   NOT NULL,
    handoff_id uuid        NOT NULL REFERENCES handoffs (id) ON DELETE CASCADE,
    user_id    text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    text       text        NOT NULL CHECK (char_length(text) BETWEEN 1 AND 5000),
    at         timestamptz NOT NULL
);
-- A handoff's messages, oldest first (the counsellor's inbox).
CREATE INDEX handoff_messages_handoff_at_idx ON handoff_messages (handoff_id, at, seq);
-- One person's messages, for export and the cascade from users.
CREATE INDEX handoff_messages_user_idx ON handoff_messages (user_id, at, seq);

-- +goose Down
DROP TABLE handoff_messages;
