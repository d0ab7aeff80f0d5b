-- Every start-up looks for test-data jobs sealed under another key (`datagen::reseal::reseal_all`);
-- with these it finds none without reading every job. Environments are few: no index.
CREATE INDEX datagen_jobs_params_key_idx ON datagen_jobs (params_key_id);
CREATE INDEX datagen_jobs_vars_key_idx ON datagen_jobs (vars_key_id);
