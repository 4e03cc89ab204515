//! The running desk's control socket, `control.sock` in its data folder (a Unix socket only its
//! owner may use): how a second launch on the same folder brings the first one's window forward,
//! and how `frontdesk backup` gets a backup from the running desk, whose store it cannot open.
//! One JSON request per connection; the answer is JSON lines, progress first, then the outcome.

use anyhow::{bail, Context};
use frontdesk_engine::{BackupProgress, Desk};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub const SOCKET: &str = "control.sock";

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Request {
    /// Show and focus the window.
    Focus,
    /// Write a backup to this file (a full path).
    Backup { file: PathBuf },
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reply {
    Progress(BackupProgress),
    Done(String),
    Failed(String),
}

/// What brings the window forward; set by the desktop app once its window exists.
pub type FocusSlot = Arc<Mutex<Option<Box<dyn Fn() -> Result<(), String> + Send>>>>;

/// Listens on the data folder's control socket until the returned task is aborted.
#[cfg(unix)]
pub fn listen(data_dir: &Path, desk: Desk, focus: FocusSlot) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    use std::os::unix::fs::PermissionsExt;
    let path = data_dir.join(SOCKET);
    // A socket left by a crash: this process holds the folder's lock, so nobody else uses it.
    let _ = std::fs::remove_file(&path);
    let listener =
        tokio::net::UnixListener::bind(&path).with_context(|| format!("cannot listen on {}", path.display()))?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    desk.announce_control_socket(&path)?;
    Ok(tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (desk, focus) = (desk.clone(), focus.clone());
            tokio::spawn(async move {
                if let Err(e) = answer(stream, desk, focus).await {
                    tracing::warn!("a control request failed: {e:#}");
                }
            });
        }
    }))
}

#[cfg(not(unix))]
pub fn listen(_: &Path, _: Desk, _: FocusSlot) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    Ok(tokio::spawn(async {}))
}

#[cfg(unix)]
async fn answer(stream: tokio::net::UnixStream, desk: Desk, focus: FocusSlot) -> anyhow::Result<()> {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let (read, mut write) = stream.into_split();
    let mut line = String::new();
    BufReader::new(read).read_line(&mut line).await?;
    let request: Request = serde_json::from_str(&line).context("an unreadable control request")?;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Reply>();
    match request {
        Request::Focus => {
            let outcome = match focus.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
                Some(show) => show().map(|()| "brought the window to the front".to_string()),
                None => Err("this desk runs without a window (frontdesk serve)".to_string()),
            };
            let _ = tx.send(outcome.map_or_else(Reply::Failed, Reply::Done));
        }
        Request::Backup { file } => {
            let progress = tx.clone();
            let desk = desk.clone();
            tokio::spawn(async move {
                let outcome = desk
                    .backup_to(file.clone(), move |p| {
                        let _ = progress.send(Reply::Progress(p));
                    })
                    .await;
                let _ = tx.send(match outcome {
                    Ok(s) => Reply::Done(format!(
                        "backup written to {} ({} keys, {} writes made during it, {} attachments)",
                        file.display(),
                        s.entries,
                        s.tail_writes,
                        s.attachments
                    )),
                    Err(e) => Reply::Failed(e.to_string()),
                });
            });
        }
    }
    while let Some(reply) = rx.recv().await {
        let end = !matches!(reply, Reply::Progress(_));
        let mut bytes = serde_json::to_vec(&reply)?;
        bytes.push(b'\n');
        write.write_all(&bytes).await?;
        if end {
            break;
        }
    }
    Ok(())
}

/// Sends `request` to the desk listening on `socket` and waits for its outcome.
#[cfg(unix)]
pub fn ask(socket: &Path, request: &Request, mut progress: impl FnMut(BackupProgress)) -> anyhow::Result<String> {
    use std::io::{BufRead, BufReader, Write};
    let mut stream = std::os::unix::net::UnixStream::connect(socket)
        .with_context(|| format!("cannot reach the running desk at {}", socket.display()))?;
    let mut line = serde_json::to_vec(request)?;
    line.push(b'\n');
    stream.write_all(&line)?;
    for line in BufReader::new(stream).lines() {
        match serde_json::from_str::<Reply>(&line?)? {
            Reply::Progress(p) => progress(p),
            Reply::Done(text) => return Ok(text),
            Reply::Failed(text) => bail!("{text}"),
        }
    }
    bail!("the running desk closed the connection without an answer")
}

#[cfg(not(unix))]
pub fn ask(_: &Path, _: &Request, _: impl FnMut(BackupProgress)) -> anyhow::Result<String> {
    bail!("asking a running desk is only available on Linux and macOS for now")
}
