//! Backups as the admin sees them: the daily schedule and how many files to keep, the names of
//! backup files (which carry the time they were made, so the schedule needs no stored state
//! beyond the folder itself), when the next one is due and which old ones go.

use crate::time::Timestamp;
use crate::DomainError;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Backups are made this often when the schedule is on.
pub const DAILY: Duration = Duration::from_secs(24 * 60 * 60);
pub const MAX_KEEP: u32 = 365;
const PREFIX: &str = "frontdesk-";
pub const EXTENSION: &str = ".fdbackup";

/// Where scheduled backups go and how many are kept; none until an admin sets them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct BackupSettings {
    /// A folder on the host desk's machine, absolute.
    pub folder: String,
    /// A backup every 24 hours (the first at once when none in the folder is that recent).
    pub daily: bool,
    /// How many backup files of the schedule the folder keeps; older ones are deleted.
    pub keep: u32,
}

impl BackupSettings {
    /// The settings checked: an absolute folder and a count of files between 1 and 365.
    pub fn checked(self) -> Result<BackupSettings, DomainError> {
        let folder = self.folder.trim().to_string();
        if folder.is_empty() {
            return Err(DomainError::invalid("folder", "choose the folder where backups go"));
        }
        if !std::path::Path::new(&folder).is_absolute() {
            return Err(DomainError::invalid(
                "folder",
                format!("'{folder}' is not a full path; give one such as /home/ana/Backups"),
            ));
        }
        if !(1..=MAX_KEEP).contains(&self.keep) {
            return Err(DomainError::invalid("keep", format!("keep between 1 and {MAX_KEEP} backups")));
        }
        Ok(BackupSettings { folder, ..self })
    }
}

/// Where a long backup or restore is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum BackupPhase {
    /// Copying the store (backup) or writing it into the new folder (restore).
    Copying,
    /// Copying attachments and closing the file.
    Finishing,
    /// Reading the whole file to check its checksum, before anything is replaced.
    Checking,
}

/// A backup file's name for a backup made at `at`, e.g. `frontdesk-20261201-093000.fdbackup`.
pub fn file_name(at: Timestamp) -> String {
    let stamp = jiff::Timestamp::from_millisecond(at.0).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    format!("{PREFIX}{}{EXTENSION}", stamp.strftime("%Y%m%d-%H%M%S"))
}

/// When the backup named `name` was made, if it is a name `file_name` gives.
pub fn made_at(name: &str) -> Option<Timestamp> {
    let stamp = name.strip_prefix(PREFIX)?.strip_suffix(EXTENSION)?;
    let parsed = jiff::civil::DateTime::strptime("%Y%m%d-%H%M%S", stamp).ok()?;
    let ts = parsed.to_zoned(jiff::tz::TimeZone::UTC).ok()?.timestamp();
    Some(Timestamp(ts.as_millisecond()))
}

/// Whether a scheduled backup is due at `now`, given when the newest one in the folder was made.
pub fn due(now: Timestamp, newest: Option<Timestamp>) -> bool {
    match newest {
        None => true,
        Some(at) => now.since(at) >= DAILY || at > now.plus(DAILY),
    }
}

/// Which of the folder's backups to delete so that `keep` remain: the oldest first.
pub fn to_delete(mut made: Vec<(Timestamp, String)>, keep: u32) -> Vec<String> {
    made.sort();
    let extra = made.len().saturating_sub(keep as usize);
    made.into_iter().take(extra).map(|(_, name)| name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_carry_their_time_to_the_second() {
        let at = Timestamp(1_796_117_400_000); // 2026-12-01 09:30:00 UTC
        assert_eq!(file_name(at), "frontdesk-20261201-093000.fdbackup");
        assert_eq!(made_at(&file_name(at)), Some(at));
        assert_eq!(made_at("notes.txt"), None);
        assert_eq!(made_at("frontdesk-2026.fdbackup"), None);
    }

    #[test]
    fn a_backup_is_due_a_day_after_the_newest_and_at_once_when_there_is_none() {
        let at = Timestamp(1_796_117_400_000);
        assert!(due(at, None));
        assert!(!due(at.plus(Duration::from_secs(23 * 3600)), Some(at)));
        assert!(due(at.plus(DAILY), Some(at)));
        // A clock set back by days must not stop backups forever.
        assert!(due(at, Some(at.plus(DAILY * 3))));
    }

    #[test]
    fn the_oldest_backups_beyond_the_count_are_deleted() {
        let made: Vec<_> = [3, 1, 2, 5, 4].iter().map(|d| (Timestamp(*d), format!("b{d}"))).collect();
        assert_eq!(to_delete(made.clone(), 3), vec!["b1", "b2"]);
        assert!(to_delete(made, 7).is_empty());
    }

    #[test]
    fn settings_need_a_full_path_and_a_sensible_count() {
        let s = |folder: &str, keep| BackupSettings { folder: folder.into(), daily: true, keep };
        assert!(s("/srv/backups", 7).checked().is_ok());
        assert!(s("backups", 7).checked().unwrap_err().to_string().contains("not a full path"));
        assert!(s(" ", 7).checked().is_err());
        assert!(s("/srv/backups", 0).checked().unwrap_err().to_string().contains("between 1 and 365"));
    }
}
