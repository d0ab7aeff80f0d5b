-- Writes per user and kind in fixed hourly windows, shared by every server replica.
CREATE TABLE write_counts (
    user_id      BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind         TEXT        NOT NULL,
    window_start TIMESTAMPTZ NOT NULL,
    count        INTEGER     NOT NULL,
    PRIMARY KEY (user_id, kind, window_start)
);

CREATE INDEX write_counts_window_idx ON write_counts (window_start);
