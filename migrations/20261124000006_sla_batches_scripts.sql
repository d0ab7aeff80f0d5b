-- What the incident team needs beyond a single step: SLA clocks counted in business hours,
-- hand-offs with their durations, batches of duplicate incidents, reviewed data-fix scripts and
-- canned replies. Nothing here is deleted; corrections are new events.

ALTER TABLE incidents
    ADD COLUMN subcategory       TEXT CHECK (length(subcategory) BETWEEN 1 AND 40),
    -- A duplicate points at the incident that stands for the whole batch.
    ADD COLUMN parent_id         BIGINT REFERENCES incidents (id) CHECK (parent_id <> id),
    -- Business seconds allowed to resolve, from sla_targets once the incident is classified.
    ADD COLUMN sla_target_secs   INT CHECK (sla_target_secs > 0),
    -- Business seconds already used before the clock last started.
    ADD COLUMN sla_spent_secs    INT NOT NULL DEFAULT 0,
    -- The clock runs from here; NULL while it is paused (waiting for the reporter or a review)
    -- or stopped (resolved, closed).
    ADD COLUMN sla_running_since TIMESTAMPTZ DEFAULT now(),
    -- When the running clock reaches the target: what "time to SLA" and "overdue" read.
    ADD COLUMN sla_due_at        TIMESTAMPTZ,
    ADD COLUMN sla_breached_at   TIMESTAMPTZ;

UPDATE incidents SET sla_running_since = CASE
    WHEN status IN ('new', 'analysing', 'transferred') THEN created_at END;

CREATE INDEX incidents_parent_idx ON incidents (parent_id) WHERE parent_id IS NOT NULL;
-- The queue's "SLA due soonest" order, incidents without a running clock last.
CREATE INDEX incidents_due_idx ON incidents (sla_due_at ASC NULLS LAST, id);
CREATE INDEX incidents_created_queue_idx ON incidents (created_at DESC, id DESC);

ALTER TABLE incident_events DROP CONSTRAINT incident_events_kind_check;
ALTER TABLE incident_events ADD CONSTRAINT incident_events_kind_check
    CHECK (kind IN ('reported', 'claimed', 'assigned', 'classified', 'transferred', 'waiting',
                    'resumed', 'resolved', 'confirmed', 'closed', 'reopened', 'linked', 'unlinked',
                    'script_submitted', 'script_approved', 'script_rejected', 'script_executed'));

-- Resolution targets in business minutes, per severity and category. Admins edit them.
CREATE TABLE sla_targets (
    category        TEXT        NOT NULL CHECK (category IN ('data', 'program', 'consultation')),
    severity        TEXT        NOT NULL CHECK (severity IN ('p1', 'p2', 'p3', 'p4')),
    resolve_minutes INT         NOT NULL CHECK (resolve_minutes BETWEEN 1 AND 100000),
    updated_by      BIGINT      REFERENCES users (id),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (category, severity)
);

INSERT INTO sla_targets (category, severity, resolve_minutes) VALUES
    ('data', 'p1', 120), ('data', 'p2', 240), ('data', 'p3', 540), ('data', 'p4', 1620),
    ('program', 'p1', 120), ('program', 'p2', 480), ('program', 'p3', 1080), ('program', 'p4', 2700),
    ('consultation', 'p1', 60), ('consultation', 'p2', 120), ('consultation', 'p3', 270),
    ('consultation', 'p4', 540);

-- The working week in Asia/Shanghai time. One row.
CREATE TABLE business_hours (
    singleton   BOOLEAN     PRIMARY KEY DEFAULT TRUE CHECK (singleton),
    day_start   TIME        NOT NULL DEFAULT '09:00',
    day_end     TIME        NOT NULL DEFAULT '18:00',
    -- ISO weekdays, Monday = 1.
    weekdays    SMALLINT[]  NOT NULL DEFAULT '{1,2,3,4,5}'
                CHECK (cardinality(weekdays) BETWEEN 1 AND 7 AND weekdays <@ '{1,2,3,4,5,6,7}'),
    updated_by  BIGINT      REFERENCES users (id),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (day_end > day_start)
);

INSERT INTO business_hours DEFAULT VALUES;

-- Exceptions to the week: public holidays, and the weekend days worked in exchange (调休).
CREATE TABLE calendar_days (
    day         DATE        PRIMARY KEY,
    kind        TEXT        NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name        TEXT        NOT NULL CHECK (length(name) BETWEEN 1 AND 40),
    updated_by  BIGINT      REFERENCES users (id),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Each transfer to test, development, operations or product, and when it came back.
CREATE TABLE incident_handoffs (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id  BIGINT      NOT NULL REFERENCES incidents (id),
    target       TEXT        NOT NULL CHECK (target IN ('test', 'development', 'operations', 'product')),
    started_by   BIGINT      NOT NULL REFERENCES users (id),
    started_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    ended_at     TIMESTAMPTZ CHECK (ended_at >= started_at)
);

CREATE INDEX incident_handoffs_incident_idx ON incident_handoffs (incident_id, id);
CREATE UNIQUE INDEX incident_handoffs_open_key ON incident_handoffs (incident_id) WHERE ended_at IS NULL;

-- Data-fix scripts: written by a handler, reviewed by operations, run by operations outside this
-- application. The application records; it never executes a script.
CREATE TABLE data_fix_scripts (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id      BIGINT      NOT NULL REFERENCES incidents (id),
    system_id        SMALLINT    NOT NULL REFERENCES systems (id),
    author_id        BIGINT      NOT NULL REFERENCES users (id),
    script           TEXT        NOT NULL CHECK (length(script) BETWEEN 1 AND 100000),
    rollback_script  TEXT        NOT NULL CHECK (length(rollback_script) BETWEEN 1 AND 100000),
    note             TEXT        CHECK (length(note) <= 2000),
    status           TEXT        NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'approved', 'rejected', 'executed')),
    reviewer_id      BIGINT      REFERENCES users (id),
    review_comment   TEXT        CHECK (length(review_comment) <= 2000),
    reviewed_at      TIMESTAMPTZ,
    executed_by      BIGINT      REFERENCES users (id),
    executed_at      TIMESTAMPTZ,
    execution_note   TEXT        CHECK (length(execution_note) <= 2000),
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (reviewer_id IS NULL OR reviewer_id <> author_id)
);

CREATE INDEX data_fix_scripts_incident_idx ON data_fix_scripts (incident_id, id);
CREATE INDEX data_fix_scripts_pending_idx ON data_fix_scripts (id) WHERE status = 'pending';

-- Canned replies (快捷回复) the team inserts into a reply. Retired, never deleted.
CREATE TABLE canned_replies (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title       TEXT        NOT NULL CHECK (length(title) BETWEEN 1 AND 40),
    body        TEXT        NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
    retired     BOOLEAN     NOT NULL DEFAULT FALSE,
    updated_by  BIGINT      NOT NULL REFERENCES users (id),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX canned_replies_title_key ON canned_replies (title) WHERE NOT retired;
