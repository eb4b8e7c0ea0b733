-- +goose Up
-- The catalog (courses, work-study openings, occupation families), loaded by
-- `paitor import`, and what people do with its items (save, 👍/👎, tap to apply).
--
-- Courses and openings are upserted by (source, external_id); their id is the
-- item ID content.CourseID / content.OpeningID builds from those two. Times are
-- timestamptz (dates too: a date is midnight in Bangkok, which a date column
-- would not keep); a NULL time is the zero time.Time. IDs sort byte-wise
-- (COLLATE "C"), as Go compares strings, so "in ID order" means the same in
-- every store and the primary key serves the ordered, paged reads. updated_at
-- moves only when a row's content changes: re-importing a file changes nothing.

CREATE TABLE courses (
    id             text             COLLATE "C" PRIMARY KEY,
    source         text             NOT NULL CHECK (source <> '' AND strpos(source, ':') = 0),
    external_id    text             NOT NULL CHECK (external_id <> ''),
    provider       text             NOT NULL DEFAULT '',
    title_th       text             NOT NULL CHECK (title_th <> ''),
    title_en       text             NOT NULL DEFAULT '',
    desc_th        text             NOT NULL DEFAULT '',
    desc_en        text             NOT NULL DEFAULT '',
    skills         text[]           NOT NULL DEFAULT '{}',
    interests      text[]           NOT NULL DEFAULT '{}',
    field          text             NOT NULL DEFAULT '',
    mode           text             NOT NULL CHECK (mode IN ('onsite', 'online', 'hybrid')),
    province       text             NOT NULL DEFAULT '',
    district       text             NOT NULL DEFAULT '',
    lat            double precision NOT NULL DEFAULT 0,
    lng            double precision NOT NULL DEFAULT 0,
    start_date     timestamptz,
    end_date       timestamptz,
    days           text[]           NOT NULL DEFAULT '{}',
    start_time     text             NOT NULL DEFAULT '',
    end_time       text             NOT NULL DEFAULT '',
    hours          integer          NOT NULL DEFAULT 0,
    cost_baht      integer          NOT NULL DEFAULT 0,
    allowance_baht integer          NOT NULL DEFAULT 0,
    earns          text[]           NOT NULL DEFAULT '{}',
    credits        integer          NOT NULL DEFAULT 0,
    min_age        integer          NOT NULL DEFAULT 0,
    max_age        integer          NOT NULL DEFAULT 0,
    min_edu        text             NOT NULL DEFAULT '',
    seats          integer          NOT NULL DEFAULT 0,
    url            text             NOT NULL DEFAULT '',
    contact        text             NOT NULL DEFAULT '',
    opens_at       timestamptz,
    closes_at      timestamptz,
    updated_at     timestamptz      NOT NULL,
    UNIQUE (source, external_id),
    CHECK (id = 'c:' || source || ':' || external_id)
);
CREATE INDEX courses_closes_at_idx ON courses (closes_at);
CREATE INDEX courses_province_idx ON courses (province);

CREATE TABLE openings (
    id           text             COLLATE "C" PRIMARY KEY,
    source       text             NOT NULL CHECK (source <> '' AND strpos(source, ':') = 0),
    external_id  text             NOT NULL CHECK (external_id <> ''),
    employer     text             NOT NULL CHECK (employer <> ''),
    role_th      text             NOT NULL CHECK (role_th <> ''),
    role_en      text             NOT NULL DEFAULT '',
    desc_th      text             NOT NULL DEFAULT '',
    desc_en      text             NOT NULL DEFAULT '',
    kind         text             NOT NULL CHECK (kind IN ('school_break', 'part_time', 'apprenticeship', 'dual_vocational')),
    field        text             NOT NULL DEFAULT '',
    interests    text[]           NOT NULL DEFAULT '{}',
    skills       text[]           NOT NULL DEFAULT '{}',
    pay_baht     integer          NOT NULL DEFAULT 0,
    pay_unit     text             NOT NULL CHECK (pay_unit IN ('hour', 'day', 'month')),
    hours_week   integer          NOT NULL DEFAULT 0,
    days         text[]           NOT NULL DEFAULT '{}',
    start_time   text             NOT NULL DEFAULT '',
    end_time     text             NOT NULL DEFAULT '',
    training     boolean          NOT NULL DEFAULT false,
    province     text             NOT NULL DEFAULT '',
    district     text             NOT NULL DEFAULT '',
    lat          double precision NOT NULL DEFAULT 0,
    lng          double precision NOT NULL DEFAULT 0,
    min_age      integer          NOT NULL DEFAULT 0,
    min_edu      text             NOT NULL DEFAULT '',
    night        boolean          NOT NULL DEFAULT false,
    hazardous    boolean          NOT NULL DEFAULT false,
    requirements text             NOT NULL DEFAULT '',
    url          text             NOT NULL DEFAULT '',
    contact      text             NOT NULL DEFAULT '',
    valid_until  timestamptz,
    updated_at   timestamptz      NOT NULL,
    UNIQUE (source, external_id),
    CHECK (id = 'o:' || source || ':' || external_id)
);
CREATE INDEX openings_valid_until_idx ON openings (valid_until);
CREATE INDEX openings_province_idx ON openings (province);

-- Occupation families (care, trades, ...) with where they are in demand:
-- {"northeast": 3, "TH-30": 2}.
CREATE TABLE occupations (
    id         text        COLLATE "C" PRIMARY KEY CHECK (id <> ''),
    name_th    text        NOT NULL DEFAULT '',
    name_en    text        NOT NULL DEFAULT '',
    skills     text[]      NOT NULL DEFAULT '{}',
    demand     jsonb       NOT NULL DEFAULT '{}',
    source     text        NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL
);

-- One row, bumped in the same transaction as every upsert that changed
-- something: CatalogVersion, for caches.
CREATE TABLE catalog_version (
    one     boolean PRIMARY KEY DEFAULT true CHECK (one),
    version bigint  NOT NULL
);
INSERT INTO catalog_version (one, version) VALUES (true, 1);

-- What people do with items. No foreign key to the catalog: an item may leave
-- it while someone still has it saved.
CREATE TABLE saved_items (
    user_id text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    item_id text        NOT NULL CHECK (item_id <> ''),
    at      timestamptz NOT NULL,
    PRIMARY KEY (user_id, item_id)
);

CREATE TABLE feedback (
    user_id text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    item_id text        NOT NULL CHECK (item_id <> ''),
    vote    smallint    NOT NULL CHECK (vote IN (-1, 1)),
    at      timestamptz NOT NULL,
    PRIMARY KEY (user_id, item_id)
);
CREATE INDEX feedback_item_idx ON feedback (item_id);

CREATE TABLE clicks (
    id      bigserial   PRIMARY KEY,
    user_id text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    item_id text        NOT NULL CHECK (item_id <> ''),
    at      timestamptz NOT NULL
);
CREATE INDEX clicks_user_idx ON clicks (user_id, at DESC, id DESC);

-- +goose Down
DROP TABLE clicks;
DROP TABLE feedback;
DROP TABLE saved_items;
DROP TABLE catalog_version;
DROP TABLE occupations;
DROP TABLE openings;
DROP TABLE courses;
