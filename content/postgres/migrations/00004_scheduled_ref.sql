-- +goose Up
-- What a scheduled message is about (the saved course a reminder is for).
ALTER TABLE scheduled ADD COLUMN ref text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE scheduled DROP COLUMN ref;
