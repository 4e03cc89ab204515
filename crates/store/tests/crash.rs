//! The durability promise, tested the hard way: a child process writes events and prints the id of
//! each one the store acknowledged; the parent kills it with SIGKILL mid-load; on reopen every
//! printed id must be there.

use frontdesk_domain::{EventKind, Id, Timestamp};
use frontdesk_store::{Store, StoreConfig};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CHILD_ENV: &str = "FRONTDESK_CRASH_CHILD_DIR";

#[test]
fn every_acknowledged_write_survives_a_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "crash_child_writer", "--nocapture", "--include-ignored"])
        .env(CHILD_ENV, dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let mut acked = Vec::new();
    let started = Instant::now();
    for line in stdout.lines() {
        let line = line.unwrap();
        if let Some(id) = line.strip_prefix("ACK ") {
            acked.push(Id(id.parse().unwrap()));
        }
        // Kill it while it is busy: after a few thousand acknowledgements, or after 20 s at most.
        if acked.len() >= 3000 || started.elapsed() > Duration::from_secs(20) {
            break;
        }
    }
    child.kill().unwrap(); // SIGKILL on Unix: no destructor, no final flush
    child.wait().unwrap();
    assert!(acked.len() > 100, "the child must have acknowledged writes before the kill, got {}", acked.len());

    let store = Store::open(dir.path(), &StoreConfig::default()).unwrap();
    let mut stored = std::collections::HashSet::new();
    let mut after = None;
    loop {
        let page = store.events_after(after, 10_000).unwrap();
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        stored.extend(page.iter().map(|e| e.id));
    }
    let lost: Vec<_> = acked.iter().filter(|id| !stored.contains(id)).collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged writes were lost, e.g. {:?}",
        lost.len(),
        acked.len(),
        lost.first()
    );
}

/// Runs only as the child of the test above.
#[test]
#[ignore = "the child half of every_acknowledged_write_survives_a_sigkill"]
fn crash_child_writer() {
    let Ok(dir) = std::env::var(CHILD_ENV) else { return };
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = Store::open(std::path::Path::new(&dir), &StoreConfig::default()).unwrap();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        // 16 concurrent writers, so the kill lands amid group commits, not between them.
        for w in 0..16 {
            let store = store.clone();
            let tx = tx.clone();
            tokio::spawn(async move {
                for i in 0.. {
                    let text = format!("writer {w} record {i} {}", "x".repeat(200));
                    let c = store
                        .write::<_, (), _>(Timestamp(1_800_000_000_000), move |t| {
                            t.record(None, EventKind::Note { text: text.clone() })
                        })
                        .await
                        .unwrap();
                    if tx.send(c.value.id).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);
        let mut out = std::io::stdout().lock();
        while let Some(id) = rx.recv().await {
            writeln!(out, "ACK {id}").unwrap();
            out.flush().unwrap();
        }
    });
}
