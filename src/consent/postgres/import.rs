//! `pii-proxy consent migrate`: the journal of a single process imported
//! into the database, once. Each line keeps its time and order and
//! remembers its journal `seq`, so running the import again adds only what
//! is missing. A database that already holds decisions made by replicas is
//! refused: older journal decisions appended after them would win over
//! them.

use tokio_postgres::NoTls;

use super::{PostgresSettings, schema};
use crate::consent::ConsentError;
use crate::consent::journal::Entry;

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Imported {
    pub added: u64,
    pub already_present: u64,
}

/// Imports `entries` (a journal, in order) in one transaction.
pub async fn import(
    settings: &PostgresSettings,
    entries: &[Entry],
) -> Result<Imported, ConsentError> {
    let mut client = connect(settings).await?;
    schema::migrate(&mut client).await.map_err(|e| db(&e))?;
    let tx = client.transaction().await.map_err(|e| db(&e))?;
    tx.execute(
        "LOCK TABLE pii_proxy_consent_decisions IN EXCLUSIVE MODE",
        &[],
    )
    .await
    .map_err(|e| db(&e))?;
    let live: i64 = tx
        .query_one(
            "SELECT count(*) FROM pii_proxy_consent_decisions WHERE journal_seq IS NULL",
            &[],
        )
        .await
        .map_err(|e| db(&e))?
        .get(0);
    if live > 0 {
        return Err(ConsentError::Invalid(format!(
            "the database already holds {live} decisions recorded by replicas: journal decisions \
             imported after them would override them. Import before replicas record decisions \
             (nothing was imported)"
        )));
    }
    let mut added = 0;
    for entry in entries {
        let seq = i64::try_from(entry.seq)
            .map_err(|_| ConsentError::Invalid("a seq is too large".into()))?;
        added += tx
            .execute(
                "INSERT INTO pii_proxy_consent_decisions \
                 (ts, op, subject, partner, scenario, replica, journal_seq, separate) \
                 VALUES ($1::text::timestamptz, $2, $3, $4, $5, 'consent-migrate', $6, $7) \
                 ON CONFLICT (journal_seq) WHERE journal_seq IS NOT NULL DO NOTHING",
                &[
                    &entry.ts,
                    &entry.op.as_str(),
                    &entry.subject.as_str(),
                    &entry.partner,
                    &entry.scenario,
                    &seq,
                    &entry.separate,
                ],
            )
            .await
            .map_err(|e| db(&e))?;
    }
    tx.commit().await.map_err(|e| db(&e))?;
    Ok(Imported {
        added,
        already_present: entries.len() as u64 - added,
    })
}

fn db(e: &tokio_postgres::Error) -> ConsentError {
    ConsentError::Unavailable(format!("the consent database: {e}"))
}

/// A plain client (the import listens for nothing), its connection driven
/// by a task.
async fn connect(settings: &PostgresSettings) -> Result<tokio_postgres::Client, ConsentError> {
    let limit = settings.connect_timeout;
    let timed_out = || {
        ConsentError::Unavailable(format!(
            "no connection to the consent database within {}s",
            limit.as_secs()
        ))
    };
    match &settings.tls {
        Some(tls) => {
            let tls = tokio_postgres_rustls::MakeRustlsConnect::new(tls.clone());
            let (client, connection) = tokio::time::timeout(limit, settings.config.connect(tls))
                .await
                .map_err(|_| timed_out())?
                .map_err(|e| db(&e))?;
            tokio::spawn(connection);
            Ok(client)
        }
        None => {
            let (client, connection) = tokio::time::timeout(limit, settings.config.connect(NoTls))
                .await
                .map_err(|_| timed_out())?
                .map_err(|e| db(&e))?;
            tokio::spawn(connection);
            Ok(client)
        }
    }
}
