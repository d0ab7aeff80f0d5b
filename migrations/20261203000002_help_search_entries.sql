-- What help search reads: one narrow row per live article, kept by a trigger on
-- help_articles. Searching the wide working-copy table meant visiting its large rows for every
-- match (half a second with 50,000 articles); these rows are small, so the matches of a common
-- word are cut to the most read ones quickly, and only those few are ranked.
CREATE TABLE help_search_entries (
    article_id   BIGINT   PRIMARY KEY REFERENCES help_articles (id),
    system_id    SMALLINT NOT NULL REFERENCES systems (id),
    -- The title's words and character pairs (weights A and D of search_words).
    title_words  TSVECTOR NOT NULL,
    search_words TSVECTOR NOT NULL,
    views        BIGINT   NOT NULL DEFAULT 0
);

CREATE INDEX help_search_entries_title_idx ON help_search_entries USING GIN (title_words);
CREATE INDEX help_search_entries_words_idx ON help_search_entries USING GIN (search_words);
-- The most read first: a common word's matches are read in this order and cut early.
CREATE INDEX help_search_entries_views_idx ON help_search_entries (views DESC, article_id DESC);

CREATE FUNCTION help_search_entry_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.live_version IS NULL OR NEW.state = 'archived' THEN
        DELETE FROM help_search_entries WHERE article_id = NEW.id;
    ELSIF TG_OP = 'INSERT'
          OR NEW.search_words IS DISTINCT FROM OLD.search_words
          OR NEW.live_version IS DISTINCT FROM OLD.live_version
          OR OLD.state = 'archived' THEN
        -- Published (again): the working copy is the live version, its system included.
        INSERT INTO help_search_entries (article_id, system_id, title_words, search_words, views)
        VALUES (NEW.id, NEW.system_id, ts_filter(NEW.search_words, '{a,d}'), NEW.search_words,
                NEW.views)
        ON CONFLICT (article_id) DO UPDATE
            SET system_id = EXCLUDED.system_id, title_words = EXCLUDED.title_words,
                search_words = EXCLUDED.search_words, views = EXCLUDED.views;
    ELSIF NEW.views <> OLD.views THEN
        UPDATE help_search_entries SET views = NEW.views WHERE article_id = NEW.id;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER help_search_entry_sync AFTER INSERT OR UPDATE ON help_articles
    FOR EACH ROW EXECUTE FUNCTION help_search_entry_sync();

INSERT INTO help_search_entries (article_id, system_id, title_words, search_words, views)
SELECT a.id, v.system_id, ts_filter(a.search_words, '{a,d}'), a.search_words, a.views
FROM help_articles a
JOIN help_article_versions v ON v.article_id = a.id AND v.version = a.live_version
WHERE a.state <> 'archived';
