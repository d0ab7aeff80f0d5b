-- Enterprise WeChat (WeCom) notifications: where messages go, and the transactional outbox
-- that sends them. Secrets (robot keys, the application secret, its access token) are sealed
-- under the identity keys like customer identity, each naming the key that sealed it.

-- Staff contacts: the WeCom user id a personal application message goes to, and the work
-- mobile a group robot mentions.
ALTER TABLE users
    ADD COLUMN wecom_userid TEXT CHECK (wecom_userid ~ '^[A-Za-z0-9_.@-]{1,64}$'),
    ADD COLUMN work_mobile  TEXT CHECK (work_mobile ~ '^1[0-9]{10}$');

-- Group robots. Handlers' robots may be per system; the one without a system takes the rest.
CREATE TABLE wecom_robots (
    id           SMALLINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         TEXT        NOT NULL CHECK (length(name) BETWEEN 1 AND 40),
    audience     TEXT        NOT NULL CHECK (audience IN ('handlers', 'reporters', 'reviewers')),
    system_id    SMALLINT    REFERENCES systems (id),
    key_id       TEXT        NOT NULL,
    key_sealed   BYTEA       NOT NULL,
    -- The key's last four characters, all a page ever shows of it.
    key_hint     TEXT        NOT NULL,
    active       BOOLEAN     NOT NULL DEFAULT TRUE,
    -- WeCom answered "rate limited" (45009): nothing goes to this robot before then.
    paused_until TIMESTAMPTZ,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Retired robots stay for the delivery log; names and routes are unique among the active.
CREATE UNIQUE INDEX wecom_robots_name_key ON wecom_robots (name) WHERE active;
CREATE UNIQUE INDEX wecom_robots_route_key
    ON wecom_robots (audience, coalesce(system_id, 0)) WHERE active;

-- Sends granted to each robot, so every worker of every replica keeps to 20 a minute.
CREATE TABLE wecom_robot_sends (
    robot_id SMALLINT    NOT NULL REFERENCES wecom_robots (id) ON DELETE CASCADE,
    sent_at  TIMESTAMPTZ NOT NULL
);

CREATE INDEX wecom_robot_sends_window_idx ON wecom_robot_sends (robot_id, sent_at);

-- The application that messages a person; one per installation. The access token is shared
-- by every replica and refreshed by whichever needs it first.
CREATE TABLE wecom_app (
    singleton        BOOLEAN     PRIMARY KEY DEFAULT TRUE CHECK (singleton),
    corp_id          TEXT        NOT NULL CHECK (corp_id ~ '^[A-Za-z0-9_-]{1,64}$'),
    agent_id         BIGINT      NOT NULL CHECK (agent_id > 0),
    key_id           TEXT        NOT NULL,
    secret_sealed    BYTEA       NOT NULL,
    secret_hint      TEXT        NOT NULL,
    token_key_id     TEXT,
    token_sealed     BYTEA,
    token_expires_at TIMESTAMPTZ,
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((token_sealed IS NULL) = (token_expires_at IS NULL))
);

-- Which kinds of event are sent at all.
CREATE TABLE notification_kinds (
    kind    TEXT    PRIMARY KEY,
    enabled BOOLEAN NOT NULL DEFAULT TRUE
);

INSERT INTO notification_kinds (kind) VALUES
    ('new_report'), ('reporter_replied'), ('handler_asked'), ('handler_replied'),
    ('resolved'), ('sla_due_soon'), ('sla_breached'), ('script_pending'), ('script_decided');

-- Kinds a user does not want for themselves.
CREATE TABLE notification_mutes (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind    TEXT   NOT NULL REFERENCES notification_kinds (kind),
    PRIMARY KEY (user_id, kind)
);

-- The outbox: written in the transaction of the change that causes the message, sent by any
-- replica's worker (FOR UPDATE SKIP LOCKED). `facts` holds what the message says, without
-- customer identity; the worker renders it for WeCom when it sends.
CREATE TABLE notifications (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        TEXT        NOT NULL,
    incident_id BIGINT      REFERENCES incidents (id),
    -- A group robot, or NULL for a personal application message.
    robot_id    SMALLINT    REFERENCES wecom_robots (id) ON DELETE SET NULL,
    -- The person the message is for (mentioned on a robot, or messaged directly).
    to_user_id  BIGINT      REFERENCES users (id) ON DELETE SET NULL,
    facts       JSONB       NOT NULL,
    state       TEXT        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dead')),
    attempts    INT         NOT NULL DEFAULT 0,
    due_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_error  TEXT,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at     TIMESTAMPTZ
);

CREATE INDEX notifications_due_idx ON notifications (due_at, id) WHERE state = 'pending';
CREATE INDEX notifications_log_idx ON notifications (id DESC);

-- SLA warnings are sent once per due time.
ALTER TABLE incidents ADD COLUMN sla_warned_due_at TIMESTAMPTZ;
