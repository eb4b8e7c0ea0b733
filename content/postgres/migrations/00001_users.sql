-- +goose Up
-- LINE accounts that have talked to Pai Tor and whether we may send to them.
CREATE TABLE users (
    id          text        PRIMARY KEY,
    status      text        NOT NULL CHECK (status IN ('following', 'blocked')),
    role        text        NOT NULL DEFAULT '',
    followed_at timestamptz,
    blocked_at  timestamptz,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);

-- Who can receive a push, optionally by role (broadcasts and segmented sends).
CREATE INDEX users_status_role_idx ON users (status, role);

-- +goose Down
DROP TABLE users;
