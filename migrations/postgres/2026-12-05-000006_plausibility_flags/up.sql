-- Plausibility flags (合理性核查): a rule of the year's scheme that fired on a body's submitted
-- report, the figure and what it was compared against, and where the analyst's review of it
-- stands (open → cleared with a note, or evidence_requested with a comment; reopened by a
-- resubmission; resolved when the rule no longer fires). One row per (year, body, rule,
-- field), updated as reports change; every change of status is in the audit log.
CREATE TABLE plausibility_flags (
    id TEXT PRIMARY KEY NOT NULL,
    year INTEGER NOT NULL,
    body_id TEXT NOT NULL REFERENCES bodies (id),
    rule TEXT NOT NULL,
    field TEXT NOT NULL,
    severity TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    reference DOUBLE PRECISION NOT NULL,
    message TEXT NOT NULL,
    status TEXT NOT NULL,
    revision INTEGER NOT NULL,
    note TEXT,
    comment TEXT,
    decided_by TEXT,
    decided_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (year, body_id, rule, field)
);
CREATE INDEX plausibility_flags_year_status ON plausibility_flags (year, status, body_id);
CREATE INDEX plausibility_flags_body ON plausibility_flags (body_id, year);
