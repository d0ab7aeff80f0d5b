-- The QA help center's articles. An article has one working copy (what handlers edit and
-- reviewers review) and the versions published from it; readers only ever see the live
-- version, so editing a published article never shows a half-written text.
CREATE TABLE help_articles (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug             TEXT        NOT NULL UNIQUE
                     CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 80),
    -- The working copy: draft (being written), review (waiting for a second person),
    -- published (the working copy is the live version), archived (gone from the help center).
    state            TEXT        NOT NULL DEFAULT 'draft'
                     CHECK (state IN ('draft', 'review', 'published', 'archived')),
    system_id        SMALLINT    NOT NULL REFERENCES systems (id),
    module_id        INT         REFERENCES system_modules (id),
    title            TEXT        NOT NULL,
    tags             TEXT[]      NOT NULL DEFAULT '{}',
    body             TEXT        NOT NULL,
    -- Who wrote the working copy last: the one person who may not publish it.
    editor_id        BIGINT      NOT NULL REFERENCES users (id),
    created_by       BIGINT      NOT NULL REFERENCES users (id),
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    live_version     INT,
    reviewer_id      BIGINT      REFERENCES users (id),
    last_reviewed_at TIMESTAMPTZ,
    pinned           BOOLEAN     NOT NULL DEFAULT FALSE,
    -- The live version cut into words (title A, tags B, body C, character pairs D), so search
    -- reads one indexed column and ranks title matches above body matches.
    search_words     TSVECTOR    NOT NULL DEFAULT ''::tsvector,
    views            BIGINT      NOT NULL DEFAULT 0
);

CREATE INDEX help_articles_search_idx ON help_articles USING GIN (search_words);
CREATE INDEX help_articles_live_idx ON help_articles (system_id, module_id, last_reviewed_at DESC)
    WHERE live_version IS NOT NULL AND state <> 'archived';

CREATE TABLE help_article_versions (
    article_id   BIGINT      NOT NULL REFERENCES help_articles (id),
    version      INT         NOT NULL CHECK (version > 0),
    system_id    SMALLINT    NOT NULL REFERENCES systems (id),
    module_id    INT         REFERENCES system_modules (id),
    title        TEXT        NOT NULL,
    tags         TEXT[]      NOT NULL,
    body         TEXT        NOT NULL,
    -- Rendered and sanitised once at publication; content pages serve it as is, with its
    -- table of contents and, for search snippets, the words without markup.
    body_html    TEXT        NOT NULL,
    headings     JSONB       NOT NULL DEFAULT '[]',
    body_text    TEXT        NOT NULL,
    author_id    BIGINT      NOT NULL REFERENCES users (id),
    published_by BIGINT      NOT NULL REFERENCES users (id),
    published_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (article_id, version)
);

ALTER TABLE help_articles ADD FOREIGN KEY (id, live_version)
    REFERENCES help_article_versions (article_id, version) DEFERRABLE INITIALLY DEFERRED;

-- Incidents an article came from or answered; hot questions count the recent ones.
CREATE TABLE help_article_incidents (
    article_id  BIGINT      NOT NULL REFERENCES help_articles (id),
    incident_id BIGINT      NOT NULL REFERENCES incidents (id),
    kind        TEXT        NOT NULL CHECK (kind IN ('source', 'answer')),
    linked_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (article_id, incident_id, kind)
);

CREATE INDEX help_article_incidents_recent_idx ON help_article_incidents (linked_at, article_id);
CREATE INDEX help_article_incidents_incident_idx ON help_article_incidents (incident_id);

-- The brokerage's words that mean the same thing (两融 = 融资融券); applied when a search is
-- read, so an edit works at once without re-indexing.
CREATE TABLE help_synonyms (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    words      TEXT[]      NOT NULL CHECK (cardinality(words) BETWEEN 2 AND 10),
    updated_by BIGINT      NOT NULL REFERENCES users (id),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Searches that found nothing, for the weekly meeting.
CREATE TABLE help_search_misses (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    query       TEXT        NOT NULL,
    system_code TEXT,
    searched_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX help_search_misses_at_idx ON help_search_misses (searched_at);
