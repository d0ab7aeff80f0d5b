-- Business monitoring: rules that read business databases on a schedule, their runs and the
-- abnormal records each run found. The databases themselves are named in the environment
-- (MONITOR_SOURCE_<NAME>); a rule names its sources, never holds their credentials.

CREATE TABLE monitor_rules (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name           TEXT        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    -- What the rule checks and how (kind, sources, queries, thresholds): `monitor::Check`.
    spec           JSONB       NOT NULL,
    -- Five-field cron, read in Asia/Shanghai.
    schedule       TEXT        NOT NULL,
    severity       TEXT        NOT NULL DEFAULT 'p3' CHECK (severity IN ('p1', 'p2', 'p3', 'p4')),
    owner_id       BIGINT      REFERENCES users (id),
    system_id      SMALLINT    REFERENCES systems (id),
    enabled        BOOLEAN     NOT NULL DEFAULT TRUE,
    -- When the scheduler runs it next; taken with FOR UPDATE SKIP LOCKED, so one replica runs it.
    next_run_at    TIMESTAMPTZ,
    created_by     BIGINT      NOT NULL REFERENCES users (id),
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX monitor_rules_due_idx ON monitor_rules (next_run_at) WHERE enabled;

CREATE TABLE monitor_runs (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rule_id        BIGINT      NOT NULL REFERENCES monitor_rules (id) ON DELETE CASCADE,
    -- 'schedule' or 'manual' (run now from the console).
    started_by     TEXT        NOT NULL CHECK (started_by IN ('schedule', 'manual')),
    started_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at    TIMESTAMPTZ,
    outcome        TEXT        CHECK (outcome IN ('normal', 'abnormal', 'error')),
    normal_count   BIGINT      NOT NULL DEFAULT 0,
    abnormal_count BIGINT      NOT NULL DEFAULT 0,
    -- Abnormal records kept (at most the configured number; the count says how many there were).
    kept_count     INT         NOT NULL DEFAULT 0,
    -- Why it could not be checked: `monitor::ReadError` as JSON, worded by the page.
    error          JSONB
);

CREATE INDEX monitor_runs_rule_idx ON monitor_runs (rule_id, started_at DESC);

CREATE TABLE monitor_records (
    run_id  BIGINT NOT NULL REFERENCES monitor_runs (id) ON DELETE CASCADE,
    seq     INT    NOT NULL,
    -- 'row' (a row check's row, a metric's bucket), 'left_only', 'right_only', 'differs',
    -- 'duplicate' (a key twice on one side).
    kind    TEXT   NOT NULL,
    key     TEXT,
    -- Column names and values as text, in the query's order: {"columns": [...], "values": [...]}
    -- and, for a difference, the columns that differ.
    detail  JSONB  NOT NULL,
    PRIMARY KEY (run_id, seq)
);
