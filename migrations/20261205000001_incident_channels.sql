-- A phone call to the team is a channel too; the queue (and the service report) filter by channel.
ALTER TABLE incidents DROP CONSTRAINT incidents_channel_check;
ALTER TABLE incidents ADD CONSTRAINT incidents_channel_check
    CHECK (channel IN ('mobile', 'wechat', 'itsm', 'monitoring', 'phone'));

CREATE INDEX incidents_channel_activity_idx ON incidents (channel, last_activity_at DESC);
