-- What the incident team adds to a report: classification, severity, the first response, and
-- an audit of every look at the customer's full identity.

ALTER TABLE incidents
    ADD COLUMN category          TEXT CHECK (category IN ('data', 'program', 'consultation')),
    ADD COLUMN severity          TEXT CHECK (severity IN ('p1', 'p2', 'p3', 'p4')),
    -- The team's first step or public reply: the start of "time to first response".
    ADD COLUMN first_response_at TIMESTAMPTZ;

ALTER TABLE incident_events DROP CONSTRAINT incident_events_kind_check;
ALTER TABLE incident_events ADD CONSTRAINT incident_events_kind_check
    CHECK (kind IN ('reported', 'claimed', 'classified', 'transferred', 'waiting', 'resumed',
                    'resolved', 'confirmed', 'closed', 'reopened'));

-- The queue pages through newest activity first, optionally within one status or assignee.
CREATE INDEX incidents_queue_idx ON incidents (last_activity_at DESC, id DESC);
CREATE INDEX incidents_status_queue_idx ON incidents (status, last_activity_at DESC, id DESC);
CREATE INDEX incidents_assignee_queue_idx ON incidents (assignee_id, last_activity_at DESC, id DESC);
DROP INDEX incidents_activity_idx;

-- Customer identity is masked everywhere; a handler may reveal one field, and every reveal is kept.
CREATE TABLE identity_reveals (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id  BIGINT      NOT NULL REFERENCES incidents (id),
    actor_id     BIGINT      NOT NULL REFERENCES users (id),
    field        TEXT        NOT NULL
                 CHECK (field IN ('customer_name', 'id_number', 'fund_account', 'customer_mobile')),
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX identity_reveals_incident_idx ON identity_reveals (incident_id, id);

-- A step's machine-readable detail (transfer target; "category severity"), apart from the
-- note a person wrote with it.
ALTER TABLE incident_events ADD COLUMN detail TEXT;
UPDATE incident_events SET detail = note, note = NULL WHERE kind = 'transferred';
