-- Last week's service report goes out every Monday at 09:00 (Shanghai) once, however many
-- replicas run: the replica that inserts the week's row writes the messages, in the same
-- transaction.
CREATE TABLE weekly_reports (
    week_start DATE        PRIMARY KEY,
    sent_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Its WeCom summary is a kind admins switch on; it is off until they do.
INSERT INTO notification_kinds (kind, enabled) VALUES ('weekly_report', FALSE);

-- E-mail, written in the transaction of what causes it (the weekly report's row) and sent
-- over SMTP by any replica's worker (FOR UPDATE SKIP LOCKED): a message committed is sent
-- even if the server dies. The message is stored as sent, attachments included.
CREATE TABLE mail_outbox (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sender     TEXT        NOT NULL,
    recipients TEXT[]      NOT NULL CHECK (cardinality(recipients) > 0),
    subject    TEXT        NOT NULL,
    message    BYTEA       NOT NULL,
    state      TEXT        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dead')),
    attempts   INT         NOT NULL DEFAULT 0,
    due_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_error TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at    TIMESTAMPTZ
);

CREATE INDEX mail_outbox_due_idx ON mail_outbox (due_at, id) WHERE state = 'pending';

-- The day of an incident depends on the time-zone database: stable, not immutable.
ALTER FUNCTION report_day_cell(incidents) STABLE;
