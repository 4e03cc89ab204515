//! Backups of the running desk: on request (the admin screen, `frontdesk backup FILE`) and daily
//! into the folder an admin chose, keeping as many files as the admin said. One runs at a time;
//! its progress is kept in memory for the admin screen to show.

use crate::accounts::require_admin;
use crate::{Desk, EngineError, Result};
use frontdesk_domain::backup::{self, BackupPhase, BackupSettings};
use frontdesk_domain::{Agent, EventKind, Timestamp};
use frontdesk_store::backup::{BackupSummary, Progress};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A backup being written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct RunningBackup {
    /// The file being written, a full path on the host desk.
    pub file: String,
    pub started_at: Timestamp,
    pub phase: BackupPhase,
    #[ts(type = "number")]
    pub done_bytes: u64,
    /// An estimate until the end: the store's live size is only known once read.
    #[ts(type = "number")]
    pub total_bytes: u64,
}

/// How the last backup of this run of the desk ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct BackupOutcome {
    pub file: String,
    pub finished_at: Timestamp,
    /// The file's size when it was written.
    #[ts(optional, type = "number")]
    pub bytes: Option<u64>,
    /// Why it failed, when it did.
    #[ts(optional)]
    pub error: Option<String>,
    #[ts(type = "number")]
    pub took_ms: u64,
}

/// A backup file in the backup folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct BackupFile {
    pub name: String,
    pub made_at: Timestamp,
    #[ts(type = "number")]
    pub bytes: u64,
}

/// Everything the admin's backup screen shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct BackupStatus {
    #[ts(optional)]
    pub settings: Option<BackupSettings>,
    #[ts(optional)]
    pub running: Option<RunningBackup>,
    #[ts(optional)]
    pub last: Option<BackupOutcome>,
    /// The folder's backups, newest first.
    pub files: Vec<BackupFile>,
    /// When the schedule makes the next one, if it is on.
    #[ts(optional)]
    pub next_due: Option<Timestamp>,
}

#[derive(Default)]
pub(crate) struct Backups {
    running: Mutex<Option<RunningBackup>>,
    last: Mutex<Option<BackupOutcome>>,
    /// Wakes the schedule when its settings change.
    pub(crate) changed: tokio::sync::Notify,
}

impl Desk {
    pub fn backup_status(&self, actor: &Agent) -> Result<BackupStatus> {
        require_admin(actor, "see the backups")?;
        let settings = self.store().backup_settings()?;
        let files = match &settings {
            Some(s) => backup_files(Path::new(&s.folder)),
            None => Vec::new(),
        };
        let next_due = settings.as_ref().filter(|s| s.daily).map(|_| match files.first() {
            Some(newest) if !backup::due(self.now(), Some(newest.made_at)) => newest.made_at.plus(backup::DAILY),
            _ => self.now(),
        });
        Ok(BackupStatus {
            settings,
            running: lock(&self.inner.backups.running).clone(),
            last: lock(&self.inner.backups.last).clone(),
            files,
            next_due,
        })
    }

    /// Sets the backup folder and schedule; the folder is made if missing and must be writable.
    pub async fn update_backup_settings(&self, actor: &Agent, settings: BackupSettings) -> Result<BackupSettings> {
        require_admin(actor, "change the backup settings")?;
        let settings = settings.checked()?;
        check_writable(Path::new(&settings.folder)).await?;
        let actor = actor.id;
        let saved = self
            .command(move |tx| {
                tx.put_backup_settings(&settings)?;
                tx.record(Some(actor), EventKind::BackupSettingsUpdated)?;
                Ok(settings.clone())
            })
            .await?;
        self.inner.backups.changed.notify_one();
        Ok(saved)
    }

    /// Starts a backup into the backup folder now and returns at once; `backup_status` follows it.
    pub async fn start_backup(&self, actor: &Agent) -> Result<RunningBackup> {
        require_admin(actor, "make a backup")?;
        let settings = self.store().backup_settings()?.ok_or_else(|| {
            EngineError::Conflict("choose a backup folder first (Backups, Folder), then back up".into())
        })?;
        let file = Path::new(&settings.folder).join(backup::file_name(self.now()));
        let running = self.claim_backup(&file)?;
        let desk = self.clone();
        let actor = Some(actor.id);
        tokio::spawn(async move {
            let _ = desk.run_claimed_backup(file, actor, |_| {}).await;
        });
        Ok(running)
    }

    /// Writes a backup to `file` and waits for it (`frontdesk backup FILE`), reporting progress.
    pub async fn backup_to(
        &self,
        file: PathBuf,
        progress: impl FnMut(Progress) + Send + 'static,
    ) -> Result<BackupSummary> {
        if file.is_dir() {
            return Err(EngineError::Conflict(format!(
                "{} is a folder: give the backup's file name, e.g. {}",
                file.display(),
                file.join(backup::file_name(self.now())).display()
            )));
        }
        match file.parent() {
            Some(folder) if !folder.as_os_str().is_empty() && !folder.is_dir() => {
                return Err(EngineError::Conflict(format!(
                    "the folder {} does not exist: create it, or give the backup another place",
                    folder.display()
                )))
            }
            _ => {}
        }
        self.claim_backup(&file)?;
        self.run_claimed_backup(file, None, progress).await
    }

    fn claim_backup(&self, file: &Path) -> Result<RunningBackup> {
        let mut running = lock(&self.inner.backups.running);
        if let Some(other) = running.as_ref() {
            return Err(EngineError::Conflict(format!(
                "a backup is already being written to {}; wait for it to finish",
                other.file
            )));
        }
        let claimed = RunningBackup {
            file: file.display().to_string(),
            started_at: self.now(),
            phase: BackupPhase::Copying,
            done_bytes: 0,
            total_bytes: 0,
        };
        *running = Some(claimed.clone());
        Ok(claimed)
    }

    async fn run_claimed_backup(
        &self,
        file: PathBuf,
        actor: Option<frontdesk_domain::Id>,
        mut progress: impl FnMut(Progress) + Send + 'static,
    ) -> Result<BackupSummary> {
        let started = std::time::Instant::now();
        let (store, desk, path, now) = (self.store().clone(), self.clone(), file.clone(), self.now());
        let written = tokio::task::spawn_blocking(move || {
            store.backup(&path, now, &mut |p| {
                if let Some(r) = lock(&desk.inner.backups.running).as_mut() {
                    (r.phase, r.done_bytes, r.total_bytes) = (p.phase, p.done_bytes, p.total_bytes);
                }
                progress(p);
            })
        })
        .await
        .map_err(|e| EngineError::Internal(format!("the backup stopped: {e}")))
        .and_then(|r| r.map_err(EngineError::Store));
        let outcome = BackupOutcome {
            file: file.display().to_string(),
            finished_at: self.now(),
            bytes: written.as_ref().ok().map(|s| s.file_bytes),
            error: written.as_ref().err().map(|e| e.to_string()),
            took_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        };
        match &written {
            Ok(s) => tracing::info!("backup written to {} ({} bytes)", file.display(), s.file_bytes),
            Err(e) => tracing::error!("the backup to {} failed: {e}", file.display()),
        }
        if let Ok(summary) = &written {
            let (name, bytes) = (file.display().to_string(), summary.file_bytes);
            if let Err(e) = self
                .command(move |tx| {
                    tx.record(actor, EventKind::BackupMade { file: name.clone(), bytes })?;
                    Ok(())
                })
                .await
            {
                tracing::error!("recording the backup failed: {e}");
            }
        }
        *lock(&self.inner.backups.last) = Some(outcome);
        *lock(&self.inner.backups.running) = None;
        written
    }

    /// The daily schedule: backs up when the newest file in the folder is a day old (at once
    /// after a start that finds none that recent), then deletes the oldest beyond the count.
    pub async fn run_backups(self) {
        loop {
            let wait = match self.scheduled_backup().await {
                Ok(Some(next)) => self.time_until(next),
                Ok(None) => crate::MAX_SLEEP,
                Err(e) => {
                    tracing::error!("the scheduled backup failed: {e}");
                    // Not at once again: a full disk would fail every second.
                    std::time::Duration::from_secs(600).min(crate::MAX_SLEEP * 20)
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = self.inner.backups.changed.notified() => {}
            }
        }
    }

    /// Makes the scheduled backup if it is due; returns when the next one is.
    async fn scheduled_backup(&self) -> Result<Option<Timestamp>> {
        let Some(settings) = self.store().backup_settings()?.filter(|s| s.daily) else { return Ok(None) };
        let folder = PathBuf::from(&settings.folder);
        let newest = backup_files(&folder).first().map(|f| f.made_at);
        if !backup::due(self.now(), newest) {
            return Ok(newest.map(|at| at.plus(backup::DAILY)));
        }
        if lock(&self.inner.backups.running).is_some() {
            return Ok(Some(self.now().plus(std::time::Duration::from_secs(60))));
        }
        std::fs::create_dir_all(&folder)
            .map_err(|e| EngineError::Conflict(format!("the backup folder {}: {e}", folder.display())))?;
        let file = folder.join(backup::file_name(self.now()));
        self.claim_backup(&file)?;
        self.run_claimed_backup(file, None, |_| {}).await?;
        let made = backup_files(&folder).into_iter().map(|f| (f.made_at, f.name)).collect();
        for name in backup::to_delete(made, settings.keep) {
            match std::fs::remove_file(folder.join(&name)) {
                Ok(()) => tracing::info!("deleted the old backup {name} (keeping {})", settings.keep),
                Err(e) => tracing::warn!("could not delete the old backup {name}: {e}"),
            }
        }
        Ok(Some(self.now().plus(backup::DAILY)))
    }
}

/// The folder's backup files (by their names), newest first; an unreadable folder has none.
fn backup_files(folder: &Path) -> Vec<BackupFile> {
    let Ok(entries) = std::fs::read_dir(folder) else { return Vec::new() };
    let mut files: Vec<BackupFile> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let made_at = backup::made_at(&name)?;
            let bytes = e.metadata().ok().filter(|m| m.is_file())?.len();
            Some(BackupFile { name, made_at, bytes })
        })
        .collect();
    files.sort_by(|a, b| b.made_at.cmp(&a.made_at).then_with(|| b.name.cmp(&a.name)));
    files
}

/// The folder exists (made if need be) and a file can be written in it.
async fn check_writable(folder: &Path) -> Result<()> {
    let folder = folder.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let refuse = |e: std::io::Error| {
            EngineError::Invalid(frontdesk_domain::DomainError::invalid(
                "folder",
                format!("cannot write backups in {}: {e}; choose a folder this desk may write to", folder.display()),
            ))
        };
        std::fs::create_dir_all(&folder).map_err(refuse)?;
        let probe = folder.join(".frontdesk-write-check");
        std::fs::write(&probe, b"ok").map_err(refuse)?;
        let _ = std::fs::remove_file(&probe);
        Ok(())
    })
    .await
    .map_err(|e| EngineError::Internal(e.to_string()))?
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
