-- pii-proxy consent store, migration 1: the decisions, append-only.
--
-- One row per decision, never updated or deleted: `seq` orders them (within
-- a subject, the advisory lock every writer takes makes seq order commit
-- order), an erase is final. Subjects are the keyed HMAC the audit log
-- uses, never a raw id. Every insert notifies `pii_proxy_consent` with the
-- row as JSON, which every replica follows with LISTEN.

CREATE TABLE IF NOT EXISTS pii_proxy_consent_decisions (
    seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ts          timestamptz NOT NULL DEFAULT clock_timestamp(),
    op          text NOT NULL CHECK (op IN ('grant', 'revoke', 'restore', 'erase')),
    subject     text NOT NULL CHECK (subject ~ '^hmac:[0-9a-f]{64}$'),
    partner     text CHECK (partner IS NULL OR length(partner) BETWEEN 1 AND 128),
    scenario    text CHECK (scenario IS NULL OR length(scenario) BETWEEN 1 AND 128),
    -- the replica that recorded it (`consent-migrate` for imports)
    replica     text NOT NULL,
    -- the journal line it was imported from, if any
    journal_seq bigint,
    CHECK (scenario IS NULL OR partner IS NOT NULL),
    CHECK (op <> 'erase' OR (partner IS NULL AND scenario IS NULL))
);

CREATE INDEX IF NOT EXISTS pii_proxy_consent_decisions_subject
    ON pii_proxy_consent_decisions (subject, seq);

CREATE UNIQUE INDEX IF NOT EXISTS pii_proxy_consent_decisions_journal_seq
    ON pii_proxy_consent_decisions (journal_seq) WHERE journal_seq IS NOT NULL;

CREATE OR REPLACE FUNCTION pii_proxy_consent_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('pii_proxy_consent', json_build_object(
        'seq', NEW.seq,
        'ts', to_char(NEW.ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'op', NEW.op,
        'subject', NEW.subject,
        'partner', NEW.partner,
        'scenario', NEW.scenario)::text);
    RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS pii_proxy_consent_notify ON pii_proxy_consent_decisions;
CREATE TRIGGER pii_proxy_consent_notify
    AFTER INSERT ON pii_proxy_consent_decisions
    FOR EACH ROW EXECUTE FUNCTION pii_proxy_consent_notify();
