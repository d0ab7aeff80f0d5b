-- Knowledge sessions (知识直播): the weekly live session, its agenda, topics and articles, and
-- afterwards its replay, audience and quiz. The topics (subcategories as handlers give them)
-- and articles say which consultations the session should bring down.
CREATE TABLE knowledge_sessions (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    starts_at      TIMESTAMPTZ NOT NULL,
    talk_minutes   SMALLINT    NOT NULL CHECK (talk_minutes BETWEEN 0 AND 240),
    quiz_minutes   SMALLINT    NOT NULL CHECK (quiz_minutes BETWEEN 0 AND 240),
    qa_minutes     SMALLINT    NOT NULL CHECK (qa_minutes BETWEEN 0 AND 240),
    topic          TEXT        NOT NULL CHECK (char_length(topic) BETWEEN 1 AND 80),
    subcategories  TEXT[]      NOT NULL DEFAULT '{}' CHECK (cardinality(subcategories) <= 10),
    replay_url     TEXT        CHECK (replay_url ~ '^https?://' AND char_length(replay_url) <= 500),
    live_audience  INT         CHECK (live_audience >= 0),
    -- Live plus replays.
    total_viewers  INT         CHECK (total_viewers >= 0),
    quiz_questions TEXT[]      NOT NULL DEFAULT '{}' CHECK (cardinality(quiz_questions) <= 20),
    -- Participants scoring 0–59, 60–69, 70–79, 80–89 and 90–100.
    score_bands    INT[]       CHECK (cardinality(score_bands) = 5 AND 0 <= ALL (score_bands)),
    created_by     BIGINT      NOT NULL REFERENCES users (id),
    updated_by     BIGINT      NOT NULL REFERENCES users (id),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (total_viewers IS NULL OR live_audience IS NULL OR total_viewers >= live_audience)
);

CREATE INDEX knowledge_sessions_starts_idx ON knowledge_sessions (starts_at DESC);

CREATE TABLE knowledge_session_articles (
    session_id BIGINT NOT NULL REFERENCES knowledge_sessions (id) ON DELETE CASCADE,
    article_id BIGINT NOT NULL REFERENCES help_articles (id),
    PRIMARY KEY (session_id, article_id)
);

-- Consultations by report time: the sessions' effect and the hot list read them.
CREATE INDEX incidents_consultations_idx ON incidents (created_at) WHERE category = 'consultation';
