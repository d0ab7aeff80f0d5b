-- Alerts of monitoring rules: a rule that turns abnormal (or cannot run) alerts once, keeps
-- quiet for its cooldown, and sends a recovery notice when it runs normal again; someone on
-- duty may silence it for a while.
ALTER TABLE monitor_rules
    ADD COLUMN cooldown_minutes INT NOT NULL DEFAULT 60 CHECK (cooldown_minutes BETWEEN 0 AND 10080),
    -- An alert went out and no recovery since.
    ADD COLUMN alerting         BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN last_alert_at    TIMESTAMPTZ,
    ADD COLUMN silenced_until   TIMESTAMPTZ,
    ADD COLUMN silenced_by      BIGINT REFERENCES users (id);

-- What the run did about alerts.
ALTER TABLE monitor_runs
    ADD COLUMN alert TEXT CHECK (alert IN ('alerted', 'recovered', 'cooldown', 'silenced'));

INSERT INTO notification_kinds (kind) VALUES ('monitor_alert'), ('monitor_recovered');
