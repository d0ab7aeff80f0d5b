-- UAT test-data construction: recipes of business-API calls, the environments they run
-- against, and jobs taken by workers on any replica.

-- A test environment (UAT1, UAT2, ...): one base URL per business system, its credentials sealed
-- under the identity keys (one sealed JSON object), and how many jobs may run on it at once.
CREATE TABLE datagen_targets (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    base_urls JSONB NOT NULL,
    secret_names TEXT[] NOT NULL DEFAULT '{}',
    secrets_key_id TEXT,
    secrets_sealed BYTEA,
    concurrency INT NOT NULL DEFAULT 4 CHECK (concurrency BETWEEN 1 AND 64),
    updated_by BIGINT REFERENCES users (id),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((secrets_key_id IS NULL) = (secrets_sealed IS NULL))
);

-- A recipe and every version of its source (TOML); jobs name the version they ran.
CREATE TABLE datagen_recipes (
    id BIGSERIAL PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    current_version INT NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE datagen_recipe_versions (
    recipe_id BIGINT NOT NULL REFERENCES datagen_recipes (id),
    version INT NOT NULL,
    name TEXT NOT NULL,
    source TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (recipe_id, version)
);

-- A submitted form. The parameters may hold a customer's identity: sealed, with a masked copy
-- for pages. `next_step`/`next_item` is where a run (or a retry from the failed step) resumes;
-- `vars` holds what earlier steps extracted. A processing job whose lease ran out belongs to a
-- worker that died and is taken again from where it stopped.
CREATE TABLE datagen_jobs (
    id BIGSERIAL PRIMARY KEY,
    recipe_id BIGINT NOT NULL REFERENCES datagen_recipes (id),
    recipe_version INT NOT NULL,
    target_id BIGINT NOT NULL REFERENCES datagen_targets (id),
    params_key_id TEXT NOT NULL,
    params_sealed BYTEA NOT NULL,
    params_shown JSONB NOT NULL,
    -- The customer's name as pages show it (masked).
    customer_shown TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'processing', 'success', 'failed', 'cancelled')),
    incident_id BIGINT REFERENCES incidents (id),
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at TIMESTAMPTZ,
    finished_at TIMESTAMPTZ,
    next_step INT NOT NULL DEFAULT 0,
    next_item INT NOT NULL DEFAULT 0,
    vars JSONB NOT NULL DEFAULT '{}',
    result JSONB,
    failed_step TEXT,
    failure TEXT,
    cancel_requested BOOLEAN NOT NULL DEFAULT false,
    worker TEXT,
    lease_until TIMESTAMPTZ,
    runs INT NOT NULL DEFAULT 0,
    FOREIGN KEY (recipe_id, recipe_version) REFERENCES datagen_recipe_versions (recipe_id, version),
    CHECK (status <> 'processing' OR lease_until IS NOT NULL)
);

CREATE INDEX datagen_jobs_waiting ON datagen_jobs (target_id, id) WHERE status IN ('queued', 'processing');
CREATE INDEX datagen_jobs_created ON datagen_jobs (created_at);
CREATE INDEX datagen_jobs_incident ON datagen_jobs (incident_id) WHERE incident_id IS NOT NULL;

-- Each call a job made (each attempt of it), redacted before it is written.
CREATE TABLE datagen_job_steps (
    id BIGSERIAL PRIMARY KEY,
    job_id BIGINT NOT NULL REFERENCES datagen_jobs (id) ON DELETE CASCADE,
    step_index INT NOT NULL,
    item_index INT,
    name TEXT NOT NULL,
    system TEXT NOT NULL,
    method TEXT NOT NULL,
    url TEXT NOT NULL,
    request_excerpt TEXT NOT NULL DEFAULT '',
    attempt INT NOT NULL DEFAULT 1,
    status INT,
    response_excerpt TEXT NOT NULL DEFAULT '',
    extracted JSONB NOT NULL DEFAULT '{}',
    outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'retrying', 'failed', 'skipped')),
    error TEXT,
    started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    took_ms INT NOT NULL DEFAULT 0
);

CREATE INDEX datagen_job_steps_job ON datagen_job_steps (job_id, id);
