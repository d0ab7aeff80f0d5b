-- Every start-up looks for identity to seal or re-seal (`incidents::sealed::reseal_all`);
-- with these it finds none without reading every incident.
CREATE INDEX incidents_identity_key_idx ON incidents (identity_key_id);
CREATE INDEX incidents_legacy_identity_idx ON incidents (id)
    WHERE legacy_id_number IS NOT NULL OR legacy_fund_account IS NOT NULL
       OR legacy_customer_mobile IS NOT NULL;
