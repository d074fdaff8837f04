//! The export ledger's table (`pii_proxy_export_subjects`, migration 3):
//! one transaction per share with people not yet counted, under an
//! advisory lock per partner and year, so the threshold check and the
//! insert of every replica are one serial history.

use super::{Database, schema, unavailable};
use crate::audit::SubjectHash;
use crate::compliance::export::Volume;
use crate::consent::exports::{Refused, Share};

impl Database {
    /// Counts `share`'s people not yet in the table (or newly sensitive)
    /// unless that reaches a tier its basis does not cover. Returns the
    /// year's volume and the subjects now counted.
    pub(in crate::consent) async fn admit_export(
        &self,
        share: &Share<'_>,
    ) -> Result<(Volume, Vec<SubjectHash>), Refused> {
        let mut client = self.pool.get().await.map_err(|e| down(&e))?;
        let tx = client.transaction().await.map_err(|e| down(&e))?;
        let lock = lock_key(share.partner, share.year);
        tx.execute(
            "SELECT pg_advisory_xact_lock($1, $2)",
            &[&(schema::LOCK_NAMESPACE + 2), &lock],
        )
        .await
        .map_err(|e| down(&e))?;
        let subjects: Vec<&str> = share.subjects.iter().map(SubjectHash::as_str).collect();
        let known = known_subjects(&tx, share, &subjects).await?;
        let before = year_volume(&tx, share).await?;
        let (after, new) = count_new(before, &known, &subjects, share.sensitive);
        let tier = share.thresholds.tier(after);
        if !new.is_empty() && tier > share.basis.covers() {
            return Err(Refused::Threshold {
                tier,
                volume: after,
            });
        }
        if !new.is_empty() {
            tx.execute(
                "INSERT INTO pii_proxy_export_subjects (partner, year, subject, sensitive) \
                 SELECT $1, $2, s, $4 FROM unnest($3::text[]) AS s \
                 ON CONFLICT (partner, year, subject) DO UPDATE \
                 SET sensitive = pii_proxy_export_subjects.sensitive OR EXCLUDED.sensitive",
                &[&share.partner, &share.year, &new, &share.sensitive],
            )
            .await
            .map_err(|e| down(&e))?;
        }
        tx.commit().await.map_err(|e| down(&e))?;
        Ok((after, share.subjects.to_vec()))
    }
}

/// The database could not be asked: the share is refused as unavailable.
fn down(e: &dyn std::fmt::Display) -> Refused {
    Refused::Unavailable(unavailable(e))
}

/// Which of `subjects` the year's ledger already counts, and whether as
/// sensitive.
async fn known_subjects(
    tx: &deadpool_postgres::Transaction<'_>,
    share: &Share<'_>,
    subjects: &[&str],
) -> Result<Vec<(String, bool)>, Refused> {
    let known = tx
        .query(
            "SELECT subject, sensitive FROM pii_proxy_export_subjects \
             WHERE partner = $1 AND year = $2 AND subject = ANY($3)",
            &[&share.partner, &share.year, &subjects],
        )
        .await
        .map_err(|e| down(&e))?;
    Ok(known.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// The partner's volume this year before the share.
async fn year_volume(
    tx: &deadpool_postgres::Transaction<'_>,
    share: &Share<'_>,
) -> Result<Volume, Refused> {
    let counts = tx
        .query_one(
            "SELECT count(*), count(*) FILTER (WHERE sensitive) \
             FROM pii_proxy_export_subjects WHERE partner = $1 AND year = $2",
            &[&share.partner, &share.year],
        )
        .await
        .map_err(|e| down(&e))?;
    Ok(Volume {
        subjects: u64::try_from(counts.get::<_, i64>(0)).unwrap_or(0),
        sensitive: u64::try_from(counts.get::<_, i64>(1)).unwrap_or(0),
    })
}

/// The volume after the share, and the subjects it adds (new, or newly
/// sensitive), each once.
fn count_new<'s>(
    before: Volume,
    known: &[(String, bool)],
    subjects: &[&'s str],
    sensitive: bool,
) -> (Volume, Vec<&'s str>) {
    let mut after = before;
    let mut new: Vec<&str> = Vec::new();
    for subject in subjects {
        let was = known.iter().find(|(s, _)| s == subject).map(|(_, v)| *v);
        let adds = match was {
            None => {
                after.subjects += 1;
                after.sensitive += u64::from(sensitive);
                true
            }
            Some(false) if sensitive => {
                after.sensitive += 1;
                true
            }
            Some(_) => false,
        };
        if adds && !new.contains(subject) {
            new.push(subject);
        }
    }
    (after, new)
}

/// 32 bits naming a partner and year for the advisory lock (a collision
/// only serializes two partners' counting).
fn lock_key(partner: &str, year: i32) -> i32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in partner.bytes().chain(year.to_le_bytes()) {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    i32::from_ne_bytes(h.to_ne_bytes())
}
