-- 50,000 published articles for the help center's benchmarks, made from the demo articles
-- (which must be loaded): each one joins the text and words of two of them, so every word a
-- reader types matches thousands of articles, as it would in a large knowledge base, plus a
-- word of its own. Idempotent: articles already generated are kept.
BEGIN;

CREATE TEMP TABLE demo AS
SELECT row_number() OVER (ORDER BY a.id) - 1 AS n, a.id, a.system_id, a.module_id, a.tags,
       a.search_words, v.title, v.body, v.body_html, v.headings, v.body_text,
       v.author_id, v.published_by
FROM help_articles a
JOIN help_article_versions v ON v.article_id = a.id AND v.version = a.live_version
WHERE a.slug NOT LIKE 'generated-%';

CREATE TEMP TABLE generated AS
SELECT g AS gen, d.*, e.title AS other_title, e.body AS other_body,
       e.body_html AS other_html, e.body_text AS other_text, e.search_words AS other_words
FROM generate_series(1, 50000) g
JOIN demo d ON d.n = g % (SELECT count(*) FROM demo)
JOIN demo e ON e.n = (g * 7 + 3) % (SELECT count(*) FROM demo)
WHERE NOT EXISTS (SELECT 1 FROM help_articles WHERE slug = 'generated-' || g);

INSERT INTO help_articles (slug, state, system_id, module_id, title, tags, body, editor_id,
                           created_by, live_version, reviewer_id, last_reviewed_at,
                           search_words, views)
SELECT 'generated-' || gen, 'published', system_id, module_id, title || '（' || gen || '）', tags,
       body || E'\n\n' || other_body, author_id, author_id, 1, published_by,
       now() - (gen % 400) * INTERVAL '1 day',
       search_words || setweight(other_words, 'C')
                    || setweight(to_tsvector('simple', 'g' || gen), 'A'),
       gen % 500
FROM generated;

INSERT INTO help_article_versions (article_id, version, system_id, module_id, title, tags, body,
                                   body_html, headings, body_text, author_id, published_by,
                                   published_at)
SELECT a.id, 1, g.system_id, g.module_id, a.title, g.tags, a.body,
       g.body_html || g.other_html, g.headings, g.body_text || ' ' || g.other_text,
       g.author_id, g.published_by, now() - (g.gen % 400) * INTERVAL '1 day'
FROM generated g
JOIN help_articles a ON a.slug = 'generated-' || g.gen;

-- The articles went in before their versions: their entries take the versions' dates now.
UPDATE help_search_entries e SET published_at = v.published_at
FROM help_article_versions v
WHERE v.article_id = e.article_id AND v.version = 1
  AND e.article_id IN (SELECT id FROM help_articles WHERE slug LIKE 'generated-%');

COMMIT;
VACUUM ANALYZE help_articles;
VACUUM ANALYZE help_article_versions;
