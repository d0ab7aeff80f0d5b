-- Images in help articles (screenshots, flowcharts), uploaded from the editor through the same
-- pipeline as screenshots: decoded by content, shrunk, re-encoded without metadata.
CREATE TABLE help_images (
    id          UUID        PRIMARY KEY,
    -- The editor's own id for the upload, so a retried upload stores nothing twice.
    client_id   UUID        NOT NULL,
    uploader_id BIGINT      NOT NULL REFERENCES users (id),
    width       INT         NOT NULL,
    height      INT         NOT NULL,
    byte_size   INT         NOT NULL,
    object_key  TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (uploader_id, client_id)
);

-- The images each published version shows. Readers may fetch an image only while a live
-- version of an article that is not archived shows it; drafts' images stay with the team.
CREATE TABLE help_image_uses (
    article_id BIGINT NOT NULL,
    version    INT    NOT NULL,
    image_id   UUID   NOT NULL REFERENCES help_images (id),
    PRIMARY KEY (image_id, article_id, version),
    FOREIGN KEY (article_id, version) REFERENCES help_article_versions (article_id, version)
);
