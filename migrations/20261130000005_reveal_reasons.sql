-- A reveal records why (a short list), which session asked (a digest, never the session id)
-- and from which address. Reveals from before have none of these.
ALTER TABLE identity_reveals
    ADD COLUMN reason      TEXT CHECK (reason IN ('verify_identity', 'contact_customer', 'data_fix', 'compliance')),
    ADD COLUMN session_ref TEXT,
    ADD COLUMN client_ip   INET;

-- The audit page lists newest first; the alert counts one user's last hour.
CREATE INDEX identity_reveals_actor_time_idx ON identity_reveals (actor_id, created_at);
