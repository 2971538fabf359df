-- Each impact analysis of a scheme (what it would change on a past year's inputs), kept so that
-- the page activating the scheme shows the last one and the audit entry of the activation can
-- name it. Append-only: an analysis is a record of what was shown, never rewritten.
CREATE TABLE scheme_impacts (
    id TEXT PRIMARY KEY NOT NULL,
    scheme_id TEXT NOT NULL REFERENCES schemes (id),
    year INTEGER NOT NULL,
    baseline_id TEXT NOT NULL REFERENCES schemes (id),
    evaluation_id TEXT NOT NULL REFERENCES evaluations (id),
    input_digest TEXT NOT NULL,
    summary TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX scheme_impacts_scheme ON scheme_impacts (scheme_id, created_at);
