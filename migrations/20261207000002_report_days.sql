-- The service report's trend over nine periods without reading every incident of them: per
-- Shanghai day of reporting, category and channel, how many were reported, how many are
-- resolved or closed now, and how many of those within their SLA target. Kept like the
-- queue's counts: statement triggers append changes, one replica folds them
-- (`reports::rollup::fold`), readers add both.
CREATE TABLE report_days (
    day      DATE    NOT NULL,
    category TEXT,
    channel  TEXT    NOT NULL,
    done     BOOLEAN NOT NULL,
    timely   BOOLEAN NOT NULL,
    n        BIGINT  NOT NULL,
    CONSTRAINT report_days_cell UNIQUE NULLS NOT DISTINCT (day, category, channel, done, timely)
);

CREATE TABLE report_day_changes (
    day      DATE    NOT NULL,
    category TEXT,
    channel  TEXT    NOT NULL,
    done     BOOLEAN NOT NULL,
    timely   BOOLEAN NOT NULL,
    n        BIGINT  NOT NULL
);
CREATE INDEX report_day_changes_day_idx ON report_day_changes (day);

-- An incident's cell: the one place the report's definitions of "resolved" (resolved or
-- closed now) and "timely" (resolved, with an SLA target it never breached) are written.
CREATE FUNCTION report_day_cell(i incidents, OUT day DATE, OUT category TEXT, OUT channel TEXT,
                                OUT done BOOLEAN, OUT timely BOOLEAN)
LANGUAGE sql IMMUTABLE AS $$
    SELECT (i.created_at AT TIME ZONE 'Asia/Shanghai')::date, i.category, i.channel,
           i.status IN ('resolved', 'closed'),
           i.status IN ('resolved', 'closed') AND i.sla_target_secs IS NOT NULL
               AND i.sla_breached_at IS NULL
$$;

CREATE FUNCTION report_days_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_day_changes
    SELECT (c).day, (c).category, (c).channel, (c).done, (c).timely, count(*)
    FROM (SELECT report_day_cell(a) AS c FROM added a) cells GROUP BY 1, 2, 3, 4, 5;
    RETURN NULL;
END $$;

CREATE FUNCTION report_days_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_day_changes
    SELECT (c).day, (c).category, (c).channel, (c).done, (c).timely, -count(*)
    FROM (SELECT report_day_cell(r) AS c FROM removed r) cells GROUP BY 1, 2, 3, 4, 5;
    RETURN NULL;
END $$;

CREATE FUNCTION report_days_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_day_changes
    SELECT (c).day, (c).category, (c).channel, (c).done, (c).timely, sum(n)
    FROM (SELECT report_day_cell(r) AS c, -1 AS n FROM removed r
          UNION ALL
          SELECT report_day_cell(a), 1 FROM added a) cells
    GROUP BY 1, 2, 3, 4, 5
    HAVING sum(n) <> 0;
    RETURN NULL;
END $$;

CREATE TRIGGER incidents_report_days_inserted AFTER INSERT ON incidents
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION report_days_inserted();
CREATE TRIGGER incidents_report_days_deleted AFTER DELETE ON incidents
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION report_days_deleted();
CREATE TRIGGER incidents_report_days_updated AFTER UPDATE ON incidents
    REFERENCING OLD TABLE AS removed NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION report_days_updated();

INSERT INTO report_days
SELECT (c).day, (c).category, (c).channel, (c).done, (c).timely, count(*)
FROM (SELECT report_day_cell(i) AS c FROM incidents i) cells GROUP BY 1, 2, 3, 4, 5;
