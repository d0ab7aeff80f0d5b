-- Full-text search over incidents. The text is cut into words by the application (jieba) before
-- PostgreSQL sees it, so the language-neutral `simple` configuration works for Chinese.
ALTER TABLE incidents ADD COLUMN search_words TSVECTOR NOT NULL DEFAULT ''::tsvector;

CREATE INDEX incidents_search_idx ON incidents USING GIN (search_words);
