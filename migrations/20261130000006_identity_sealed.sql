-- Customer identity at rest: ID numbers, fund accounts and mobiles are sealed by the
-- application (AES-256-GCM; the key comes from the environment and each row names it) with an
-- HMAC blind index beside each for exact-match lookups. Values stored in clear by earlier
-- versions move to the legacy_ columns, which the server seals and empties at start-up
-- (`incidents::sealed::reseal_all`) before it answers anyone.
ALTER TABLE incidents RENAME COLUMN id_number TO legacy_id_number;
ALTER TABLE incidents RENAME COLUMN fund_account TO legacy_fund_account;
ALTER TABLE incidents RENAME COLUMN customer_mobile TO legacy_customer_mobile;
ALTER TABLE incidents ALTER COLUMN legacy_id_number DROP NOT NULL;

ALTER TABLE incidents
    ADD COLUMN identity_key_id        TEXT,
    ADD COLUMN id_number_sealed       BYTEA,
    ADD COLUMN id_number_index        BYTEA,
    ADD COLUMN fund_account_sealed    BYTEA,
    ADD COLUMN fund_account_index     BYTEA,
    ADD COLUMN customer_mobile_sealed BYTEA,
    ADD COLUMN customer_mobile_index  BYTEA,
    -- Every incident holds its ID number in one form or the other.
    ADD CONSTRAINT incidents_id_number_kept
        CHECK (legacy_id_number IS NOT NULL OR (id_number_sealed IS NOT NULL AND identity_key_id IS NOT NULL));

CREATE INDEX incidents_id_number_index_idx ON incidents (id_number_index);
CREATE INDEX incidents_fund_account_index_idx ON incidents (fund_account_index)
    WHERE fund_account_index IS NOT NULL;
CREATE INDEX incidents_customer_mobile_index_idx ON incidents (customer_mobile_index)
    WHERE customer_mobile_index IS NOT NULL;
