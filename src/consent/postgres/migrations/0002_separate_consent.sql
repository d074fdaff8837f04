-- pii-proxy consent store, migration 2: separate consent (单独同意).
--
-- A grant or restore can be given separately (PIPL Art. 23 and 29): the
-- rules of a partner that asks for it accept only such a grant. Rows
-- before this migration are not separate. The notification carries the
-- flag, so every replica's copy keeps it.

ALTER TABLE pii_proxy_consent_decisions
    ADD COLUMN IF NOT EXISTS separate boolean NOT NULL DEFAULT false;

ALTER TABLE pii_proxy_consent_decisions
    DROP CONSTRAINT IF EXISTS pii_proxy_consent_decisions_separate_grants;
ALTER TABLE pii_proxy_consent_decisions
    ADD CONSTRAINT pii_proxy_consent_decisions_separate_grants
    CHECK (NOT separate OR op IN ('grant', 'restore'));

CREATE OR REPLACE FUNCTION pii_proxy_consent_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('pii_proxy_consent', json_build_object(
        'seq', NEW.seq,
        'ts', to_char(NEW.ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'op', NEW.op,
        'subject', NEW.subject,
        'partner', NEW.partner,
        'scenario', NEW.scenario,
        'separate', NEW.separate)::text);
    RETURN NEW;
END
$$;
