-- Help articles suggested to a reporter while they write a report on /m/new, and opened.
-- A report the same reporter files within a day takes the open's incident: an open left
-- without one is a report the help center answered (a deflected report).
CREATE TABLE help_suggestion_opens (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reporter_id BIGINT      NOT NULL REFERENCES users (id),
    article_id  BIGINT      NOT NULL REFERENCES help_articles (id),
    -- The system chosen on the form when the article was opened, else the article's.
    system_id   SMALLINT    NOT NULL REFERENCES systems (id),
    opened_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    incident_id BIGINT      REFERENCES incidents (id)
);

CREATE INDEX help_suggestion_opens_waiting_idx ON help_suggestion_opens (reporter_id, opened_at)
    WHERE incident_id IS NULL;
CREATE INDEX help_suggestion_opens_at_idx ON help_suggestion_opens (opened_at);
