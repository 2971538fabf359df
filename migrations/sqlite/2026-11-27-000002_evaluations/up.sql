-- Evaluations, their immutable per-body results, objections during public notice, and risk
-- warnings with their history.

CREATE TABLE evaluations (
    id TEXT PRIMARY KEY NOT NULL,
    year INTEGER NOT NULL,
    scheme_id TEXT NOT NULL REFERENCES schemes (id),
    status TEXT NOT NULL,
    input_digest TEXT,
    draws INTEGER NOT NULL,
    seed BIGINT NOT NULL,
    bodies INTEGER NOT NULL DEFAULT 0,
    summary TEXT,
    failure TEXT,
    created_by TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    published_at TIMESTAMP,
    objection_deadline TIMESTAMP,
    finalized_at TIMESTAMP,
    superseded_by TEXT,
    superseded_reason TEXT
);
CREATE INDEX evaluations_year ON evaluations (year, started_at);

CREATE TABLE evaluation_results (
    evaluation_id TEXT NOT NULL REFERENCES evaluations (id),
    body_id TEXT NOT NULL REFERENCES bodies (id),
    position INTEGER NOT NULL,
    approval_no TEXT NOT NULL,
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    province TEXT NOT NULL,
    submitted INTEGER NOT NULL,
    total DOUBLE PRECISION,
    grade TEXT,
    rank INTEGER,
    category_rank INTEGER,
    warning_level INTEGER NOT NULL,
    borderline INTEGER NOT NULL,
    result TEXT NOT NULL,
    PRIMARY KEY (evaluation_id, body_id)
);
CREATE INDEX evaluation_results_position ON evaluation_results (evaluation_id, position);

CREATE TABLE objections (
    id TEXT PRIMARY KEY NOT NULL,
    evaluation_id TEXT NOT NULL REFERENCES evaluations (id),
    body_id TEXT NOT NULL REFERENCES bodies (id),
    text TEXT NOT NULL,
    filed_by TEXT NOT NULL,
    filed_at TIMESTAMP NOT NULL,
    status TEXT NOT NULL,
    answer TEXT,
    answered_by TEXT,
    answered_at TIMESTAMP
);
CREATE INDEX objections_evaluation ON objections (evaluation_id);

CREATE TABLE warnings (
    id TEXT PRIMARY KEY NOT NULL,
    evaluation_id TEXT NOT NULL REFERENCES evaluations (id),
    body_id TEXT NOT NULL REFERENCES bodies (id),
    level INTEGER NOT NULL,
    reasons TEXT NOT NULL,
    findings TEXT NOT NULL,
    status TEXT NOT NULL,
    review_required INTEGER NOT NULL,
    notice_no TEXT UNIQUE,
    notice_year INTEGER,
    notice_seq INTEGER,
    issued_on DATE,
    deadline DATE,
    internal_note TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (notice_year, notice_seq)
);
CREATE INDEX warnings_evaluation ON warnings (evaluation_id);

-- Every transition of a warning, with its reason, comment or report.
CREATE TABLE warning_events (
    id TEXT PRIMARY KEY NOT NULL,
    warning_id TEXT NOT NULL REFERENCES warnings (id),
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    actor TEXT NOT NULL,
    text TEXT,
    at TIMESTAMP NOT NULL
);
CREATE INDEX warning_events_warning ON warning_events (warning_id, at);
