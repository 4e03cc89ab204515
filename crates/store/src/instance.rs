//! One process per data folder. `instance.lock` in the folder is held (an OS file lock) for as
//! long as the store is open and names the process holding it, so a second start can say which
//! process to stop instead of sled's bare "could not acquire lock". The OS drops the lock when the
//! process dies, so a crash never leaves a folder locked.

use crate::{Result, StoreError};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

const FILE: &str = "instance.lock";

/// Who holds a data folder, as the holder wrote it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Holder {
    pub pid: u32,
    /// The holder's command line, e.g. `frontdesk serve --lan`.
    pub command: String,
    /// The holder's control socket (see the binary's `control`), once it listens.
    #[serde(default)]
    pub control_socket: Option<PathBuf>,
}

impl Holder {
    /// This process, with no control socket yet.
    pub fn this_process() -> Holder {
        Holder { pid: std::process::id(), command: command_line(), control_socket: None }
    }
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "process {} ({})", self.pid, self.command)
    }
}

/// The held lock; dropping it lets the folder go.
#[derive(Debug)]
pub struct InstanceLock {
    file: File,
    path: PathBuf,
}

impl InstanceLock {
    /// Takes the folder for this process, or says who has it.
    pub fn acquire(dir: &Path) -> Result<InstanceLock> {
        std::fs::create_dir_all(dir).map_err(|e| open_error(dir, &e.to_string()))?;
        let path = dir.join(FILE);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| open_error(dir, &e.to_string()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut text = String::new();
                let _ = file.read_to_string(&mut text);
                return Err(match serde_json::from_str::<Holder>(&text) {
                    Ok(holder) => StoreError::InUse { path: dir.display().to_string(), holder: holder.to_string() },
                    Err(_) => StoreError::InUse { path: dir.display().to_string(), holder: "another process".into() },
                });
            }
            Err(TryLockError::Error(e)) => return Err(open_error(dir, &e.to_string())),
        }
        let mut lock = InstanceLock { file, path };
        lock.write(&Holder::this_process())?;
        Ok(lock)
    }

    /// Rewrites what the lock file says about this process (e.g. once its control socket is up).
    pub fn write(&mut self, holder: &Holder) -> Result<()> {
        let fail = |e: std::io::Error| open_error(self.path.parent().unwrap_or(&self.path), &e.to_string());
        let text = serde_json::to_vec(holder).map_err(|e| StoreError::Blob(e.to_string()))?;
        self.file.set_len(0).map_err(fail)?;
        self.file.rewind().map_err(fail)?;
        self.file.write_all(&text).map_err(fail)?;
        self.file.sync_all().map_err(fail)
    }
}

/// Who holds `dir`, if anyone does right now.
pub fn holder(dir: &Path) -> Option<Holder> {
    let file = File::open(dir.join(FILE)).ok()?;
    match file.try_lock_shared() {
        Ok(()) => None,
        Err(_) => serde_json::from_reader(&file).ok(),
    }
}

fn command_line() -> String {
    let mut args = std::env::args();
    let program = args
        .next()
        .map(|p| Path::new(&p).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or(p))
        .unwrap_or_else(|| "frontdesk".into());
    std::iter::once(program).chain(args).collect::<Vec<_>>().join(" ")
}

fn open_error(dir: &Path, reason: &str) -> StoreError {
    StoreError::Open { path: dir.display().to_string(), reason: reason.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_names_the_holder_and_the_folder_frees_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let first = InstanceLock::acquire(dir.path()).unwrap();
        let refused = InstanceLock::acquire(dir.path()).unwrap_err().to_string();
        assert!(refused.contains(&format!("process {}", std::process::id())), "{refused}");
        assert!(refused.contains("is in use by another Frontdesk"), "{refused}");
        assert_eq!(holder(dir.path()).map(|h| h.pid), Some(std::process::id()));
        drop(first);
        assert_eq!(holder(dir.path()), None);
        InstanceLock::acquire(dir.path()).unwrap();
    }
}
