-- "Was this helpful?" on help articles: one answer a session and article, with an optional
-- comment; the weekly maintenance list reads the "no"s.
CREATE TABLE help_feedback (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    article_id  BIGINT      NOT NULL REFERENCES help_articles (id),
    version     INT         NOT NULL,
    helpful     BOOLEAN     NOT NULL,
    comment     TEXT        NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX help_feedback_article_idx ON help_feedback (article_id, created_at);
