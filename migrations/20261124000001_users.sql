-- People who sign in, with their role and interface language.
CREATE TABLE users (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    login           TEXT        NOT NULL CHECK (login = lower(login) AND length(login) BETWEEN 1 AND 64),
    display_name    TEXT        NOT NULL CHECK (length(display_name) BETWEEN 1 AND 64),
    role            TEXT        NOT NULL CHECK (role IN ('reporter', 'handler', 'reviewer', 'admin')),
    password_hash   TEXT        NOT NULL,
    locale          TEXT        NOT NULL DEFAULT 'zh' CHECK (locale IN ('zh', 'en')),
    active          BOOLEAN     NOT NULL DEFAULT TRUE,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_sign_in_at TIMESTAMPTZ
);

CREATE UNIQUE INDEX users_login_key ON users (login);

-- Failed sign-ins, counted per login and per client address to slow down guessing.
-- Kept in the database so every server replica sees the same count.
CREATE TABLE sign_in_failures (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    login      TEXT        NOT NULL,
    client_ip  INET,
    failed_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX sign_in_failures_login_idx ON sign_in_failures (login, failed_at);
CREATE INDEX sign_in_failures_ip_idx ON sign_in_failures (client_ip, failed_at);
CREATE INDEX sign_in_failures_age_idx ON sign_in_failures (failed_at);
