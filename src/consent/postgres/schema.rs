//! The database schema, shipped as numbered SQL migrations
//! (`migrations/NNNN_name.sql`) and applied at start, idempotently: each
//! runs once, in order, inside one transaction under an advisory lock, so
//! replicas starting together do not race, and a restart applies nothing
//! twice. Applied versions are rows of `pii_proxy_schema`.

use tokio_postgres::Client;

/// Every migration, in order: (version, name, SQL).
pub const MIGRATIONS: &[(i32, &str, &str)] = &[
    (
        1,
        "decisions",
        include_str!("migrations/0001_decisions.sql"),
    ),
    (
        2,
        "separate_consent",
        include_str!("migrations/0002_separate_consent.sql"),
    ),
    (
        3,
        "export_subjects",
        include_str!("migrations/0003_export_subjects.sql"),
    ),
];

/// The advisory-lock namespace of the proxy ("PIIP"), with key 0 for
/// migrations; decisions lock (namespace + 1, subject bits).
pub const LOCK_NAMESPACE: i32 = 0x5049_4950;

/// Applies the migrations the database lacks; returns how many ran.
pub async fn migrate(client: &mut Client) -> Result<usize, tokio_postgres::Error> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1, 0)", &[&LOCK_NAMESPACE])
        .await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS pii_proxy_schema (
             version    integer PRIMARY KEY,
             name       text NOT NULL,
             applied_at timestamptz NOT NULL DEFAULT now()
         )",
    )
    .await?;
    let applied: Vec<i32> = tx
        .query("SELECT version FROM pii_proxy_schema", &[])
        .await?
        .iter()
        .map(|row| row.get(0))
        .collect();
    let mut ran = 0;
    for (version, name, sql) in MIGRATIONS {
        if applied.contains(version) {
            continue;
        }
        tx.batch_execute(sql).await?;
        tx.execute(
            "INSERT INTO pii_proxy_schema (version, name) VALUES ($1, $2)",
            &[version, name],
        )
        .await?;
        ran += 1;
    }
    if let Some(newest) = applied.iter().max().filter(|v| **v > latest()) {
        tracing::warn!(
            database_version = newest,
            known_version = latest(),
            "the consent database was migrated by a newer pii-proxy; this one uses only the \
             tables it knows"
        );
    }
    tx.commit().await?;
    Ok(ran)
}

/// The newest version this build ships.
pub fn latest() -> i32 {
    MIGRATIONS.last().map(|(v, _, _)| *v).unwrap_or(0)
}
