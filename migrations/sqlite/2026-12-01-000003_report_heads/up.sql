-- The current revision of each body's report per year, kept beside the append-only revisions
-- so that a year's lists and counts read one row per report instead of finding the latest of
-- many. Written in the same transaction as every revision.
CREATE TABLE report_heads (
    body_id TEXT NOT NULL REFERENCES bodies (id),
    year INTEGER NOT NULL,
    revision INTEGER NOT NULL,
    status TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (body_id, year)
);
CREATE INDEX report_heads_year_status ON report_heads (year, status);

INSERT INTO report_heads (body_id, year, revision, status, created_at)
SELECT s.body_id, s.year, s.revision, s.status, s.created_at
FROM submissions s
WHERE NOT EXISTS (
    SELECT 1 FROM submissions l
    WHERE l.body_id = s.body_id AND l.year = s.year AND l.revision > s.revision
);
