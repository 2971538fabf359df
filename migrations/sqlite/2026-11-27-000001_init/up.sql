-- pubeval's registry, reports, incidents and audit log (DESIGN.md §3), SQLite.
-- Ids are UUID strings; flags are 0/1 integers; times are UTC timestamps; JSON is text.

CREATE TABLE bodies (
    id TEXT PRIMARY KEY NOT NULL,
    approval_no TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    province TEXT NOT NULL,
    approved_on DATE NOT NULL,
    status TEXT NOT NULL DEFAULT 'active',
    status_changed_on DATE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX bodies_category ON bodies (category);
CREATE INDEX bodies_province ON bodies (province);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    body_id TEXT REFERENCES bodies (id),
    disabled INTEGER NOT NULL DEFAULT 0,
    token_version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE api_clients (
    id TEXT PRIMARY KEY NOT NULL,
    client_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    scopes TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    token_version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE schemes (
    id TEXT PRIMARY KEY NOT NULL,
    code TEXT NOT NULL,
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    definition TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    activated_at TIMESTAMP,
    UNIQUE (code, version)
);

CREATE TABLE cycles (
    id TEXT PRIMARY KEY NOT NULL,
    year INTEGER NOT NULL UNIQUE,
    scheme_id TEXT NOT NULL REFERENCES schemes (id),
    opens_at TIMESTAMP NOT NULL,
    closes_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE late_entry_exceptions (
    id TEXT PRIMARY KEY NOT NULL,
    cycle_id TEXT NOT NULL REFERENCES cycles (id),
    body_id TEXT NOT NULL REFERENCES bodies (id),
    closes_at TIMESTAMP NOT NULL,
    reason TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (cycle_id, body_id)
);

-- Append-only: every save, submit, return and acceptance is a new revision.
CREATE TABLE submissions (
    id TEXT PRIMARY KEY NOT NULL,
    body_id TEXT NOT NULL REFERENCES bodies (id),
    year INTEGER NOT NULL,
    revision INTEGER NOT NULL,
    status TEXT NOT NULL,
    payload TEXT NOT NULL,
    comment TEXT,
    actor TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (body_id, year, revision)
);
CREATE INDEX submissions_year ON submissions (year, body_id);

CREATE TABLE incidents (
    id TEXT PRIMARY KEY NOT NULL,
    body_id TEXT NOT NULL REFERENCES bodies (id),
    kind TEXT NOT NULL,
    severity TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    reported_at TIMESTAMP,
    source TEXT NOT NULL,
    description TEXT NOT NULL,
    evidence TEXT,
    recorded_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    voided_at TIMESTAMP,
    void_reason TEXT,
    voided_by TEXT
);
CREATE INDEX incidents_body ON incidents (body_id, occurred_at);
CREATE INDEX incidents_occurred ON incidents (occurred_at);

CREATE TABLE incident_corrections (
    id TEXT PRIMARY KEY NOT NULL,
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    old_kind TEXT NOT NULL,
    new_kind TEXT NOT NULL,
    old_severity TEXT NOT NULL,
    new_severity TEXT NOT NULL,
    reason TEXT NOT NULL,
    actor TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- A tamper-evident chain: each entry carries the hash of the one before it.
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY NOT NULL,
    at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
