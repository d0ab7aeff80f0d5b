-- The help home and list pages read from the narrow search entries too: counting live articles
-- per system and module, and listing them newest or most read first, meant joining the wide
-- article and version rows (over a second with 50,000 articles).
ALTER TABLE help_search_entries
    ADD COLUMN module_id    INT         REFERENCES system_modules (id),
    ADD COLUMN published_at TIMESTAMPTZ NOT NULL DEFAULT now();

UPDATE help_search_entries e
SET system_id = v.system_id, module_id = v.module_id, published_at = v.published_at
FROM help_articles a
JOIN help_article_versions v ON v.article_id = a.id AND v.version = a.live_version
WHERE a.id = e.article_id;

CREATE INDEX help_search_entries_shelf_idx ON help_search_entries (system_id, module_id);
CREATE INDEX help_search_entries_new_idx
    ON help_search_entries (system_id, published_at DESC, article_id DESC);
CREATE INDEX help_search_entries_recent_idx
    ON help_search_entries (published_at DESC, article_id DESC);
CREATE INDEX help_articles_pinned_idx ON help_articles (id) WHERE pinned;

-- The live version's placement and time; an article written before its version (in one
-- transaction, the version's key being deferred) takes its own and the present moment.
CREATE OR REPLACE FUNCTION help_search_entry_sync() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    live_system SMALLINT := NEW.system_id;
    live_module INT := NEW.module_id;
    live_at TIMESTAMPTZ := now();
BEGIN
    IF NEW.live_version IS NULL OR NEW.state = 'archived' THEN
        DELETE FROM help_search_entries WHERE article_id = NEW.id;
    ELSIF TG_OP = 'INSERT'
          OR NEW.search_words IS DISTINCT FROM OLD.search_words
          OR NEW.live_version IS DISTINCT FROM OLD.live_version
          OR OLD.state = 'archived' THEN
        SELECT v.system_id, v.module_id, v.published_at INTO live_system, live_module, live_at
        FROM help_article_versions v WHERE v.article_id = NEW.id AND v.version = NEW.live_version;
        IF NOT FOUND THEN
            live_system := NEW.system_id;
            live_module := NEW.module_id;
            live_at := now();
        END IF;
        INSERT INTO help_search_entries
            (article_id, system_id, module_id, published_at, title_words, search_words, views)
        VALUES (NEW.id, live_system, live_module, live_at, ts_filter(NEW.search_words, '{a,d}'),
                NEW.search_words, NEW.views)
        ON CONFLICT (article_id) DO UPDATE
            SET system_id = EXCLUDED.system_id, module_id = EXCLUDED.module_id,
                published_at = EXCLUDED.published_at, title_words = EXCLUDED.title_words,
                search_words = EXCLUDED.search_words, views = EXCLUDED.views;
    ELSIF NEW.views <> OLD.views THEN
        UPDATE help_search_entries SET views = NEW.views WHERE article_id = NEW.id;
    END IF;
    RETURN NULL;
END $$;
