-- pii-proxy consent database, migration 3: the cross-border export ledger.
--
-- One row per (partner, calendar year, subject) whose data went to a
-- cross-border partner, subjects as the keyed HMAC the audit log uses; the
-- distinct people a partner received this year (and those with sensitive
-- data) are counts over it, shared by every replica and kept across
-- restarts. `sensitive` only ever turns true.

CREATE TABLE IF NOT EXISTS pii_proxy_export_subjects (
    partner    text NOT NULL CHECK (length(partner) BETWEEN 1 AND 128),
    year       integer NOT NULL CHECK (year BETWEEN 2000 AND 9999),
    subject    text NOT NULL CHECK (subject ~ '^hmac:[0-9a-f]{64}$'),
    sensitive  boolean NOT NULL DEFAULT false,
    first_seen timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (partner, year, subject)
);

CREATE INDEX IF NOT EXISTS pii_proxy_export_subjects_sensitive
    ON pii_proxy_export_subjects (partner, year) WHERE sensitive;
