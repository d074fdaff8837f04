//! The cross-border export ledger: which people's data each cross-border
//! partner has received this calendar year (China Standard Time, as the
//! 2024 Provisions count "from 1 January"), and which of them with
//! sensitive data; what the `export:` tiers are judged on.
//!
//! Owns the counts and where they are durable: beside the consent journal
//! (`exports.jsonl`, one fsynced line per person newly counted, replayed
//! at start, locked against a second process), or in the consent database
//! (`pii_proxy_export_subjects`, every replica's shares counted once, the
//! check and the insert in one transaction under a per-partner-year
//! advisory lock, so replicas cannot together slip past a threshold).
//! People are kept only as the keyed subject hashes the audit log uses.
//!
//! Fails closed: a share that would take the year past the tier the
//! partner's basis covers is refused before anything is written; one whose
//! new people cannot be made durable is refused too (the store is
//! unavailable). People already counted cost no write: re-sending a
//! person's data adds no one to the count.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use super::ConsentError;
use super::postgres::Database;
use crate::audit::SubjectHash;
use crate::compliance::export::{Basis, Thresholds, Tier, Volume};

/// One person counted for a partner and year (a ledger line).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Counted {
    pub partner: String,
    pub year: i32,
    pub subject: SubjectHash,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sensitive: bool,
}

/// What a share asks of the ledger.
pub struct Share<'a> {
    pub partner: &'a str,
    pub year: i32,
    pub subjects: &'a [SubjectHash],
    /// The share carries a sensitive category (every subject of it counts
    /// as a person with sensitive data).
    pub sensitive: bool,
    pub basis: Basis,
    pub thresholds: Thresholds,
    /// The nearness at which the partner's warning gauge turns on.
    pub warn_at: f64,
}

/// One partner's year as the metrics show it.
#[derive(Debug, Clone, PartialEq)]
pub struct Standing {
    pub partner: String,
    pub volume: Volume,
    /// How near the next tier the basis does not cover (1.0 = reached);
    /// `None` when the basis covers every tier.
    pub nearness: Option<f64>,
    pub warn_at: f64,
}

/// Why the ledger refused a share.
#[derive(Debug)]
pub enum Refused {
    /// The share would reach `tier`, which the basis does not cover.
    Threshold {
        tier: Tier,
        volume: Volume,
    },
    Unavailable(ConsentError),
}

/// The people counted for one partner and year.
#[derive(Default)]
pub(super) struct Year {
    /// Subject hash → counted with sensitive data.
    people: HashMap<SubjectHash, bool>,
    pub(super) volume: Volume,
    /// The basis, thresholds and warning share of the last share judged.
    judged: Option<(Basis, Thresholds, f64)>,
}

impl Year {
    /// The subjects of `share` that change the count, and the volume after.
    fn change(&self, share: &Share<'_>) -> (Vec<SubjectHash>, Volume) {
        let mut volume = self.volume;
        let mut new = Vec::new();
        for subject in share.subjects {
            let adds = match self.people.get(subject).copied() {
                None => {
                    volume.subjects += 1;
                    volume.sensitive += u64::from(share.sensitive);
                    true
                }
                Some(false) if share.sensitive => {
                    volume.sensitive += 1;
                    true
                }
                Some(_) => false,
            };
            if adds && !new.contains(subject) {
                new.push(subject.clone());
            }
        }
        (new, volume)
    }

    fn apply(&mut self, subject: SubjectHash, sensitive: bool) {
        let was = self.people.insert(subject, sensitive);
        match was {
            None => {
                self.volume.subjects += 1;
                self.volume.sensitive += u64::from(sensitive);
            }
            Some(false) if sensitive => self.volume.sensitive += 1,
            Some(true) => {
                // Sensitive stays: the flag only turns true.
            }
            Some(false) => {}
        }
    }
}

enum Backend {
    File(Mutex<LedgerFile>),
    Postgres(Arc<Database>),
}

/// The ledger: counts in memory in front of the file or the database.
pub struct ExportLedger {
    backend: Backend,
    years: Mutex<HashMap<(String, i32), Year>>,
}

impl std::fmt::Debug for ExportLedger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportLedger").finish_non_exhaustive()
    }
}

/// The calendar year now in China Standard Time (UTC+8).
pub fn current_year() -> i32 {
    let cst = time::UtcOffset::from_hms(8, 0, 0).expect("UTC+8 is a valid offset");
    time::OffsetDateTime::now_utc().to_offset(cst).year()
}

impl ExportLedger {
    /// The ledger beside the consent journal at `journal` (`exports.jsonl`
    /// in its directory), replayed and locked.
    pub fn open_beside(journal: &Path) -> Result<ExportLedger, ConsentError> {
        let path = journal.with_file_name("exports.jsonl");
        let mut years: HashMap<(String, i32), Year> = HashMap::new();
        let file = LedgerFile::open(&path, |line| {
            years
                .entry((line.partner, line.year))
                .or_default()
                .apply(line.subject, line.sensitive);
        })?;
        Ok(ExportLedger {
            backend: Backend::File(Mutex::new(file)),
            years: Mutex::new(years),
        })
    }

    /// The ledger in the consent database.
    pub(super) fn postgres(database: Arc<Database>) -> ExportLedger {
        ExportLedger {
            backend: Backend::Postgres(database),
            years: Mutex::new(HashMap::new()),
        }
    }

    /// Counts `share`'s new people durably and returns the year's volume,
    /// or refuses it (nothing written) when it would reach a tier its
    /// basis does not cover.
    pub async fn admit(self: &Arc<Self>, share: &Share<'_>) -> Result<Volume, Refused> {
        match &self.backend {
            Backend::File(_) => {
                let ledger = self.clone();
                let owned = OwnedShare::of(share);
                tokio::task::spawn_blocking(move || ledger.admit_file(&owned.borrow()))
                    .await
                    .unwrap_or_else(|_| {
                        Err(Refused::Unavailable(ConsentError::Unavailable(
                            "counting the export stopped unexpectedly".into(),
                        )))
                    })
            }
            Backend::Postgres(database) => {
                let cached = self.cached(share);
                if let Some(volume) = cached {
                    return Ok(volume);
                }
                let (volume, counted) = database.admit_export(share).await?;
                let mut years = self.years.lock().unwrap_or_else(|e| e.into_inner());
                let year = years
                    .entry((share.partner.to_owned(), share.year))
                    .or_default();
                for subject in counted {
                    let was = year.people.get(&subject).copied().unwrap_or(false);
                    year.people.insert(subject, share.sensitive || was);
                }
                year.volume = volume;
                year.judged = Some((share.basis, share.thresholds, share.warn_at));
                Ok(volume)
            }
        }
    }

    /// With the database, the volume when every subject of `share` is
    /// already known here as counted (no write needed).
    fn cached(&self, share: &Share<'_>) -> Option<Volume> {
        let years = self.years.lock().unwrap_or_else(|e| e.into_inner());
        let year = years.get(&(share.partner.to_owned(), share.year))?;
        let (new, _) = year.change(share);
        new.is_empty().then_some(year.volume)
    }

    fn admit_file(&self, share: &Share<'_>) -> Result<Volume, Refused> {
        let Backend::File(file) = &self.backend else {
            unreachable!("admit_file runs for the file backend only");
        };
        let mut file = file.lock().unwrap_or_else(|e| e.into_inner());
        let mut years = self.years.lock().unwrap_or_else(|e| e.into_inner());
        let year = years
            .entry((share.partner.to_owned(), share.year))
            .or_default();
        year.judged = Some((share.basis, share.thresholds, share.warn_at));
        let (new, after) = year.change(share);
        if new.is_empty() {
            return Ok(year.volume);
        }
        let tier = share.thresholds.tier(after);
        if tier > share.basis.covers() {
            return Err(Refused::Threshold {
                tier,
                volume: after,
            });
        }
        let lines: Vec<Counted> = new
            .iter()
            .map(|subject| Counted {
                partner: share.partner.to_owned(),
                year: share.year,
                subject: subject.clone(),
                sensitive: share.sensitive,
            })
            .collect();
        file.append(&lines).map_err(Refused::Unavailable)?;
        for line in lines {
            year.apply(line.subject, line.sensitive);
        }
        Ok(year.volume)
    }

    /// Every partner judged this year, for the metrics.
    pub fn standings(&self, year: i32) -> Vec<Standing> {
        let years = self.years.lock().unwrap_or_else(|e| e.into_inner());
        let mut found: Vec<Standing> = years
            .iter()
            .filter(|((_, y), _)| *y == year)
            .filter_map(|((partner, _), counts)| {
                let (basis, thresholds, warn_at) = counts.judged?;
                Some(Standing {
                    partner: partner.clone(),
                    volume: counts.volume,
                    nearness: thresholds.nearness(counts.volume, basis),
                    warn_at,
                })
            })
            .collect();
        found.sort_by(|a, b| a.partner.cmp(&b.partner));
        found
    }

    /// The volume this process knows for `partner` and `year` (the
    /// database's as of this replica's last write there).
    pub fn volume(&self, partner: &str, year: i32) -> Volume {
        let years = self.years.lock().unwrap_or_else(|e| e.into_inner());
        years
            .get(&(partner.to_owned(), year))
            .map(|y| y.volume)
            .unwrap_or_default()
    }
}

/// A [`Share`] that can move to a blocking thread.
struct OwnedShare {
    partner: String,
    year: i32,
    subjects: Vec<SubjectHash>,
    sensitive: bool,
    basis: Basis,
    thresholds: Thresholds,
    warn_at: f64,
}

impl OwnedShare {
    fn of(share: &Share<'_>) -> OwnedShare {
        OwnedShare {
            partner: share.partner.to_owned(),
            year: share.year,
            subjects: share.subjects.to_vec(),
            sensitive: share.sensitive,
            basis: share.basis,
            thresholds: share.thresholds,
            warn_at: share.warn_at,
        }
    }

    fn borrow(&self) -> Share<'_> {
        Share {
            partner: &self.partner,
            year: self.year,
            subjects: &self.subjects,
            sensitive: self.sensitive,
            basis: self.basis,
            thresholds: self.thresholds,
            warn_at: self.warn_at,
        }
    }
}

/// The append-only ledger file.
struct LedgerFile {
    path: PathBuf,
    file: File,
    /// Bytes of complete lines.
    len: u64,
    /// A failed write could not be cut back: appending would follow a
    /// fragment, so nothing more is written until restart.
    broken: bool,
}

impl LedgerFile {
    /// Opens (creating) and locks `path`, handing every line to `replay`;
    /// a torn last line (never acknowledged) is cut off, any other
    /// unreadable line stops the open.
    fn open(path: &Path, mut replay: impl FnMut(Counted)) -> Result<LedgerFile, ConsentError> {
        let io = |source| ConsentError::Io {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::secret_file::create_private_dir(dir).map_err(io)?;
        }
        let file = crate::secret_file::private_options()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(io)?;
        crate::lockfile::lock(&file, path).map_err(ConsentError::Locked)?;
        let mut good = 0u64;
        let mut reader = BufReader::new(&file);
        let mut line = Vec::new();
        let mut number = 0;
        loop {
            line.clear();
            let read = reader.read_until(b'\n', &mut line).map_err(io)?;
            if read == 0 {
                break;
            }
            number += 1;
            if line.last() != Some(&b'\n') {
                break;
            }
            let counted: Counted =
                serde_json::from_slice(&line).map_err(|e| ConsentError::Corrupt {
                    path: path.to_path_buf(),
                    line: number,
                    message: crate::diag::json_error("the export ledger line", &e),
                })?;
            replay(counted);
            good += read as u64;
        }
        file.set_len(good).map_err(io)?;
        Ok(LedgerFile {
            path: path.to_path_buf(),
            file,
            len: good,
            broken: false,
        })
    }

    /// Writes `lines` and fsyncs them.
    fn append(&mut self, lines: &[Counted]) -> Result<(), ConsentError> {
        let failed = |e: &dyn std::fmt::Display| {
            ConsentError::Unavailable(format!(
                "the export ledger {} cannot be written: {e}",
                self.path.display()
            ))
        };
        if self.broken {
            return Err(failed(
                &"an earlier write failed midway (restart to recover)",
            ));
        }
        let mut text = Vec::new();
        for line in lines {
            serde_json::to_writer(&mut text, line).expect("a ledger line serializes");
            text.push(b'\n');
        }
        let result = self
            .file
            .write_all(&text)
            .and_then(|()| self.file.sync_data());
        match result {
            Ok(()) => {
                self.len += text.len() as u64;
                Ok(())
            }
            Err(e) => {
                self.broken = self.file.set_len(self.len).is_err();
                Err(failed(&e))
            }
        }
    }
}

#[cfg(test)]
mod tests;
