-- What a job's steps extracted holds the environment's tokens and the new account's numbers:
-- sealed like the job's parameters, under the identity keys. The plain column goes; it held
-- nothing a released version wrote.
ALTER TABLE datagen_jobs
    DROP COLUMN vars,
    ADD COLUMN vars_key_id TEXT,
    ADD COLUMN vars_sealed BYTEA,
    ADD CONSTRAINT datagen_jobs_vars_keyed CHECK ((vars_key_id IS NULL) = (vars_sealed IS NULL));
