-- A step's note reaches the reporter only when it is meant for them: a question to them, a
-- reopening reason, or a note the handler marked public. Transfer and other step notes are
-- written for development or operations and stay in the team (earlier ones included).
ALTER TABLE incident_events ADD COLUMN note_public BOOLEAN NOT NULL DEFAULT FALSE;

UPDATE incident_events SET note_public = TRUE
WHERE note IS NOT NULL AND kind IN ('waiting', 'reopened', 'confirmed');
