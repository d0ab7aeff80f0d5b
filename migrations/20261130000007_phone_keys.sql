-- The key each reporter's phone seals its drafts and outbox with (Web Crypto AES-GCM), handed
-- out after sign-in and forgotten by the phone at sign-out. Stored sealed under the identity
-- keys like customer identity, with the id of the key that sealed it.
ALTER TABLE users
    ADD COLUMN phone_key_id     TEXT,
    ADD COLUMN phone_key_sealed BYTEA,
    ADD CONSTRAINT users_phone_key_whole
        CHECK ((phone_key_id IS NULL) = (phone_key_sealed IS NULL));
