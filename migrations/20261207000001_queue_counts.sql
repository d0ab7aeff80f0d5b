-- The queue's per-status counts without counting a million rows: each statement that adds,
-- changes or removes incidents appends what it changed per cell (status, system, category,
-- channel, assignee) to queue_count_changes, so writers never wait on a shared counter; one
-- replica at a time folds the changes into queue_counts every few seconds
-- (`console::counts::fold`). Readers add both, so the counts are exact at their snapshot.
CREATE TABLE queue_counts (
    status      TEXT     NOT NULL,
    system_id   SMALLINT NOT NULL,
    category    TEXT,
    channel     TEXT     NOT NULL,
    assignee_id BIGINT,
    n           BIGINT   NOT NULL,
    CONSTRAINT queue_counts_cell UNIQUE NULLS NOT DISTINCT
        (status, system_id, category, channel, assignee_id)
);

CREATE TABLE queue_count_changes (
    status      TEXT     NOT NULL,
    system_id   SMALLINT NOT NULL,
    category    TEXT,
    channel     TEXT     NOT NULL,
    assignee_id BIGINT,
    n           BIGINT   NOT NULL
);

CREATE FUNCTION queue_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO queue_count_changes
    SELECT status, system_id, category, channel, assignee_id, count(*)
    FROM added GROUP BY 1, 2, 3, 4, 5;
    RETURN NULL;
END $$;

CREATE FUNCTION queue_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO queue_count_changes
    SELECT status, system_id, category, channel, assignee_id, -count(*)
    FROM removed GROUP BY 1, 2, 3, 4, 5;
    RETURN NULL;
END $$;

-- Most updates (activity times, read marks, SLA clocks) change no cell and append nothing.
CREATE FUNCTION queue_count_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO queue_count_changes
    SELECT status, system_id, category, channel, assignee_id, sum(n)
    FROM (SELECT status, system_id, category, channel, assignee_id, -1 AS n FROM removed
          UNION ALL
          SELECT status, system_id, category, channel, assignee_id, 1 FROM added) c
    GROUP BY 1, 2, 3, 4, 5
    HAVING sum(n) <> 0;
    RETURN NULL;
END $$;

CREATE TRIGGER incidents_counted_inserted AFTER INSERT ON incidents
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION queue_count_inserted();
CREATE TRIGGER incidents_counted_deleted AFTER DELETE ON incidents
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION queue_count_deleted();
CREATE TRIGGER incidents_counted_updated AFTER UPDATE ON incidents
    REFERENCING OLD TABLE AS removed NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION queue_count_updated();

INSERT INTO queue_counts
SELECT status, system_id, category, channel, assignee_id, count(*)
FROM incidents GROUP BY 1, 2, 3, 4, 5;
