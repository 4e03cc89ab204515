//! `frontdesk backup FILE` and `frontdesk restore FILE`, with a progress bar on the terminal.

use crate::config::BackupArgs;
use crate::control::{self, Request};
use anyhow::{bail, Context};
use frontdesk_domain::Clock;
use frontdesk_engine::{BackupProgress, Desk, StoreConfig, SystemClock};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub fn backup(args: &BackupArgs) -> anyhow::Result<()> {
    let data_dir = args.data_dir()?;
    let file = absolute(&args.file)?;
    if !data_dir.join("db").exists() {
        bail!("{} holds no Frontdesk data: give the desk's folder with --data-dir", data_dir.display());
    }
    let mut bar = Bar::new("backing up");
    let said = match frontdesk_engine::data_folder_holder(&data_dir) {
        // The desk is running: it writes the backup itself, from its open store.
        Some(holder) => {
            let Some(socket) = holder.control_socket.clone() else {
                bail!("the data folder {} is in use by {holder}, which cannot be asked for a backup: stop it, then run this again", data_dir.display());
            };
            eprintln!("asking the running desk, {holder}, for the backup");
            control::ask(&socket, &Request::Backup { file: file.clone() }, |p| bar.show(p))?
        }
        None => {
            let runtime = tokio::runtime::Runtime::new()?;
            runtime.block_on(async {
                let desk =
                    Desk::open(&data_dir, &StoreConfig::default(), Arc::new(SystemClock), &mut |l| eprintln!("{l}"))
                        .with_context(|| format!("cannot open the data folder {}", data_dir.display()))?;
                let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
                let writing = tokio::spawn({
                    let (desk, file) = (desk.clone(), file.clone());
                    async move {
                        desk.backup_to(file, move |p| {
                            let _ = tx.send(p);
                        })
                        .await
                    }
                });
                while let Some(p) = rx.recv().await {
                    bar.show(p);
                }
                let s = writing.await??;
                anyhow::Ok(format!(
                    "backup written to {} ({} keys, {} attachments)",
                    file.display(),
                    s.entries,
                    s.attachments
                ))
            })?
        }
    };
    bar.finish();
    let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    println!("{said}; {}", human(size));
    Ok(())
}

pub fn restore(args: &BackupArgs) -> anyhow::Result<()> {
    let data_dir = args.data_dir()?;
    let file = absolute(&args.file)?;
    if !file.is_file() {
        bail!("{} is not a file: give the backup file (it ends in .fdbackup)", file.display());
    }
    let mut bar = Bar::new("restoring");
    let (summary, aside) = frontdesk_engine::restore_backup(&file, &data_dir, SystemClock.now(), &mut |p| bar.show(p))
        .with_context(|| format!("nothing was changed in {}", data_dir.display()))?;
    bar.finish();
    let h = &summary.header;
    println!(
        "restored {} (made by Frontdesk {}, schema version {}{}) into {}",
        file.display(),
        h.written_by,
        h.schema_version,
        h.business.as_ref().map(|b| format!(", {b}")).unwrap_or_default(),
        data_dir.display()
    );
    // The checksum is not a signature: say what it proved, so nobody reads it as more.
    println!(
        "its SHA-256 checksum matched, so the file is undamaged; a checksum cannot tell who made a file: \
         restore only backups you made"
    );
    if let Some(aside) = aside {
        println!("the data that was there is kept in {}", aside.display());
    }
    println!("the search index is rebuilt when the desk next starts");
    Ok(())
}

fn absolute(file: &Path) -> anyhow::Result<PathBuf> {
    Ok(if file.is_absolute() { file.to_path_buf() } else { std::env::current_dir()?.join(file) })
}

/// One line on a terminal, redrawn in place; every tenth on anything else (logs, CI).
struct Bar {
    what: &'static str,
    terminal: bool,
    last_tenth: Option<(frontdesk_domain::backup::BackupPhase, u64)>,
    drawn: bool,
}

impl Bar {
    fn new(what: &'static str) -> Self {
        Bar { what, terminal: std::io::stderr().is_terminal(), last_tenth: None, drawn: false }
    }

    fn show(&mut self, p: BackupProgress) {
        use frontdesk_domain::backup::BackupPhase;
        let percent = (p.done_bytes * 100).checked_div(p.total_bytes).unwrap_or(0).min(100);
        let phase = match p.phase {
            BackupPhase::Checking => "checking the file",
            BackupPhase::Copying => self.what,
            BackupPhase::Finishing => "finishing",
        };
        let text = format!("{phase}: {percent:>3}% ({} of about {})", human(p.done_bytes), human(p.total_bytes));
        if self.terminal {
            let filled = (percent / 5) as usize;
            eprint!("\r[{}{}] {text}\x1b[K", "#".repeat(filled), " ".repeat(20 - filled));
            let _ = std::io::stderr().flush();
            self.drawn = true;
        } else if self.last_tenth != Some((p.phase, percent / 10)) {
            self.last_tenth = Some((p.phase, percent / 10));
            eprintln!("{text}");
        }
    }

    fn finish(&mut self) {
        if self.drawn {
            eprintln!();
        }
    }
}

fn human(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.1} GiB", b as f64 / (1u64 << 30) as f64),
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / (1u64 << 20) as f64),
        b => format!("{:.0} KiB", b as f64 / 1024.0),
    }
}
