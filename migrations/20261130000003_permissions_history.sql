-- Console roles a user holds beside their own, for example a reviewer who also handles
-- incidents. What each role may do is decided in the application's permission table.
ALTER TABLE users
    ADD COLUMN extra_roles TEXT[] NOT NULL DEFAULT '{}'
        CHECK (extra_roles <@ ARRAY['handler', 'reviewer', 'admin']::TEXT[]),
    ADD CONSTRAINT users_reporter_holds_one_role
        CHECK (role <> 'reporter' OR cardinality(extra_roles) = 0);

-- Every change to the team's settings (canned replies, SLA targets, business hours, the
-- calendar): what it was, what it became, who changed it and when. Written by a trigger, so
-- no path that changes a setting can skip it.
CREATE TABLE settings_history (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subject     TEXT        NOT NULL,
    change      TEXT        NOT NULL CHECK (change IN ('insert', 'update', 'delete')),
    before      JSONB,
    after       JSONB,
    changed_by  BIGINT      REFERENCES users (id),
    changed_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX settings_history_subject_idx ON settings_history (subject, changed_at DESC, id DESC);

-- The actor is the row's `updated_by`, or for a removal the transaction's `desk.actor`
-- setting, which the application sets; a removal without one is refused.
CREATE FUNCTION record_settings_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    actor BIGINT := NULLIF(current_setting('desk.actor', true), '')::BIGINT;
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF actor IS NULL THEN
            RAISE EXCEPTION 'removing from % needs desk.actor', TG_TABLE_NAME;
        END IF;
        INSERT INTO settings_history (subject, change, before, changed_by)
        VALUES (TG_TABLE_NAME, 'delete', to_jsonb(OLD), actor);
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND (to_jsonb(OLD) - 'updated_at' - 'updated_by')
                          = (to_jsonb(NEW) - 'updated_at' - 'updated_by') THEN
        RETURN NEW;
    END IF;
    INSERT INTO settings_history (subject, change, before, after, changed_by)
    VALUES (TG_TABLE_NAME, lower(TG_OP),
            CASE WHEN TG_OP = 'UPDATE' THEN to_jsonb(OLD) END, to_jsonb(NEW),
            COALESCE(actor, NEW.updated_by));
    RETURN NEW;
END
$$;

CREATE TRIGGER canned_replies_history AFTER INSERT OR UPDATE OR DELETE ON canned_replies
    FOR EACH ROW EXECUTE FUNCTION record_settings_change();
CREATE TRIGGER sla_targets_history AFTER INSERT OR UPDATE OR DELETE ON sla_targets
    FOR EACH ROW EXECUTE FUNCTION record_settings_change();
CREATE TRIGGER business_hours_history AFTER INSERT OR UPDATE OR DELETE ON business_hours
    FOR EACH ROW EXECUTE FUNCTION record_settings_change();
CREATE TRIGGER calendar_days_history AFTER INSERT OR UPDATE OR DELETE ON calendar_days
    FOR EACH ROW EXECUTE FUNCTION record_settings_change();
