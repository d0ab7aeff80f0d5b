-- The loop between monitoring and incidents. An incident raised from a monitoring run has no
-- customer behind it: what it carries is the table of abnormal records its handler chose, kept
-- as it was then (a run's records are pruned later). A rule may be written from a resolved
-- incident ("monitor this") and names it.
ALTER TABLE incidents ALTER COLUMN customer_name DROP NOT NULL,
                      ALTER COLUMN id_doc_type DROP NOT NULL;
ALTER TABLE incidents DROP CONSTRAINT incidents_id_number_kept;
-- Every incident names its customer with an ID number in one form or the other, except one
-- monitoring raised, which names no customer at all.
ALTER TABLE incidents ADD CONSTRAINT incidents_identity_kept CHECK (
    (customer_name IS NOT NULL AND id_doc_type IS NOT NULL
     AND (legacy_id_number IS NOT NULL
          OR (id_number_sealed IS NOT NULL AND identity_key_id IS NOT NULL)))
    OR (channel = 'monitoring' AND customer_name IS NULL AND id_doc_type IS NULL
        AND legacy_id_number IS NULL AND legacy_fund_account IS NULL
        AND legacy_customer_mobile IS NULL AND id_number_sealed IS NULL
        AND fund_account_sealed IS NULL AND customer_mobile_sealed IS NULL));

CREATE TABLE monitor_incidents (
    incident_id BIGINT      PRIMARY KEY REFERENCES incidents (id),
    rule_id     BIGINT      NOT NULL REFERENCES monitor_rules (id) ON DELETE CASCADE,
    run_id      BIGINT      REFERENCES monitor_runs (id) ON DELETE SET NULL,
    -- The records attached: {"columns": [...], "rows": [{"kind", "key", "cells"}]}.
    records     JSONB       NOT NULL,
    -- Abnormal records the run found in all, of which `records` holds those chosen.
    found       BIGINT      NOT NULL
);

CREATE INDEX monitor_incidents_rule_idx ON monitor_incidents (rule_id);

ALTER TABLE monitor_rules
    ADD COLUMN from_incident_id BIGINT REFERENCES incidents (id);

CREATE INDEX monitor_rules_from_incident_idx ON monitor_rules (from_incident_id)
    WHERE from_incident_id IS NOT NULL;
