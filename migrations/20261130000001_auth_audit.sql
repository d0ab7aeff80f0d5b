-- Every sign-in, sign-out, refused attempt and throttled attempt, kept for a configurable
-- time (AUTH_AUDIT_DAYS, 180 days by default) for the security team.
CREATE TABLE auth_events (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- signed_in | signed_out | failed | throttled | busy
    kind      TEXT        NOT NULL,
    login     TEXT        NOT NULL,
    user_id   BIGINT      REFERENCES users (id) ON DELETE SET NULL,
    client_ip INET
);

CREATE INDEX auth_events_at_idx ON auth_events (at);
CREATE INDEX auth_events_login_idx ON auth_events (login, at);
