-- Every incident's channel: a phone call to the team is one too. Handlers record incidents that
-- reached them another way, with the other system's reference (an ITSM ticket, a WeChat message)
-- so one is never recorded twice, and who raised it there.
ALTER TABLE incidents DROP CONSTRAINT incidents_channel_check;
ALTER TABLE incidents ADD CONSTRAINT incidents_channel_check
    CHECK (channel IN ('mobile', 'wechat', 'itsm', 'monitoring', 'phone'));

ALTER TABLE incidents
    ADD COLUMN external_ref TEXT CHECK (char_length(external_ref) BETWEEN 1 AND 64),
    ADD COLUMN contact      TEXT CHECK (char_length(contact) BETWEEN 1 AND 40);

CREATE UNIQUE INDEX incidents_external_ref_idx ON incidents (channel, external_ref)
    WHERE external_ref IS NOT NULL;
CREATE INDEX incidents_channel_activity_idx ON incidents (channel, last_activity_at DESC);
