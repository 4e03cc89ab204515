//! Backup and restore at size, on the search benchmark's store (1,000,000 conversations and
//! 10,000,000 messages; build it with `cargo bench -p frontdesk-engine --bench search`, or point
//! `FRONTDESK_BENCH_STORE` at another store):
//! - the customer-message load alone (`SENDERS` concurrent senders, each message acknowledged
//!   once durable): acknowledgement latency and the longest gap between two acknowledgements;
//! - the same load while a backup of the running store is written: the backup's time and size,
//!   and the same latencies during it (how long the load stalls);
//! - the restore of that file into a new folder: time, and the restored folder's size.
//!
//! A load generator (`cargo bench -p frontdesk-engine --bench backup`); the backup file and the
//! restored folder go beside the store and are deleted at the end.

mod common;

use common::{mix, rss_split, summary, Unit, NOW};
use frontdesk_domain::{Agent, Id};
use frontdesk_engine::{ContactRef, Desk, ManualClock, StoreConfig};
use frontdesk_store::Store;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SENDERS: u64 = 16;
const BASELINE_FOR: Duration = Duration::from_secs(20);

/// Acknowledgement latencies and the instants they came, while the load ran.
#[derive(Default)]
struct Acks {
    latencies: Vec<Duration>,
    at: Vec<Instant>,
}

struct Load {
    stop: Arc<AtomicBool>,
    acks: Arc<Mutex<Acks>>,
    senders: Vec<tokio::task::JoinHandle<()>>,
}

fn start_load(desk: &Desk, inboxes: &[Id], conversations: u64, round: u64) -> Load {
    let stop = Arc::new(AtomicBool::new(false));
    let acks: Arc<Mutex<Acks>> = Arc::default();
    let senders = (0..SENDERS)
        .map(|s| {
            let (desk, stop, acks, inboxes) = (desk.clone(), stop.clone(), acks.clone(), inboxes.to_vec());
            tokio::spawn(async move {
                let mut i = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    let n = mix(round * 1_000_000_007 + s * 1_000_003 + i) % conversations;
                    let who = ContactRef { email: Some(format!("customer{n}@example.test")), ..Default::default() };
                    let sent = Instant::now();
                    desk.customer_message(
                        inboxes[(n % 3) as usize],
                        who,
                        &format!("backup bench message {round}-{s}-{i}"),
                    )
                    .await
                    .expect("customer message");
                    let mut a = acks.lock().expect("acks");
                    a.latencies.push(sent.elapsed());
                    a.at.push(Instant::now());
                    i += 1;
                }
            })
        })
        .collect();
    Load { stop, acks, senders }
}

impl Load {
    async fn stop(self) -> Acks {
        self.stop.store(true, Ordering::Relaxed);
        for s in self.senders {
            s.await.expect("sender");
        }
        Arc::try_unwrap(self.acks).ok().expect("senders done").into_inner().expect("acks")
    }
}

/// "N messages (R/s), ack p50 …, p99 …, max …; longest gap between acks … at +T s".
fn describe(acks: &Acks, over: Duration) -> String {
    let mut at = acks.at.clone();
    at.sort();
    let first = at.first().copied().unwrap_or_else(Instant::now);
    let (gap, when) = at.windows(2).map(|w| (w[1] - w[0], w[0] - first)).max().unwrap_or_default();
    format!(
        "{} messages ({:.0}/s), ack {}; longest gap between two acks {:.1} ms, {:.1} s after the first",
        acks.latencies.len(),
        acks.latencies.len() as f64 / over.as_secs_f64(),
        summary(acks.latencies.clone(), Unit::Millis),
        gap.as_secs_f64() * 1e3,
        when.as_secs_f64()
    )
}

fn folder_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| match e.file_type() {
                    Ok(t) if t.is_dir() => folder_size(&e.path()),
                    _ => e.metadata().map(|m| m.len()).unwrap_or(0),
                })
                .sum()
        })
        .unwrap_or(0)
}

fn gib(bytes: u64) -> String {
    format!("{:.2} GiB", bytes as f64 / f64::from(1u32 << 30))
}

fn main() {
    let store_dir = std::env::var_os("FRONTDESK_BENCH_STORE")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-search/store"));
    assert!(
        store_dir.join("fixture-complete").exists(),
        "{} holds no benchmark store: run `cargo bench -p frontdesk-engine --bench search` first, or set FRONTDESK_BENCH_STORE",
        store_dir.display()
    );
    let conversations: u64 = std::fs::read_to_string(store_dir.join("fixture-complete"))
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .expect("the fixture's marker names its size");
    let file = store_dir.with_file_name("bench.fdbackup");
    let restored = store_dir.with_file_name("restored");
    let _ = std::fs::remove_dir_all(&restored);
    // `FRONTDESK_BENCH_RESTORE_ONLY=1` measures the restore of the file the last run left.
    if std::env::var_os("FRONTDESK_BENCH_RESTORE_ONLY").is_some() && file.exists() {
        restore(&file, &restored);
        let _ = std::fs::remove_dir_all(&restored);
        return;
    }
    let _ = std::fs::remove_file(&file);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    rt.block_on(async {
        let store = Store::open(&store_dir, &StoreConfig::default()).expect("open the store");
        let on_disk = store.size_on_disk().expect("size");
        let desk = Desk::with_store(store.clone(), Arc::new(ManualClock::new(NOW))).expect("desk");
        let admin: Agent = desk.login("ana@bench.test", "correct horse".into(), "bench").await.expect("login").agent;
        let inboxes: Vec<Id> = desk.inboxes(&admin).expect("inboxes").iter().map(|i| i.id).collect();
        println!("## Backup and restore at size (crates/engine/benches/backup.rs)");
        println!("store: {conversations} conversations, {} on disk (sled's size_on_disk), {} in its folder", gib(on_disk), gib(folder_size(&store_dir)));

        let load = start_load(&desk, &inboxes, conversations, 11);
        tokio::time::sleep(BASELINE_FOR).await;
        let alone = load.stop().await;
        println!("load alone ({SENDERS} senders, {} s): {}", BASELINE_FOR.as_secs(), describe(&alone, BASELINE_FOR));

        let load = start_load(&desk, &inboxes, conversations, 12);
        tokio::time::sleep(Duration::from_secs(2)).await;
        let started = Instant::now();
        let mut last = Instant::now();
        let summary = desk
            .backup_to(file.clone(), move |p| {
                if last.elapsed() > Duration::from_secs(30) {
                    eprintln!("  backup {:?}: {} of about {}", p.phase, gib(p.done_bytes), gib(p.total_bytes));
                    last = Instant::now();
                }
            })
            .await
            .expect("backup");
        let took = started.elapsed();
        let during = load.stop().await;
        println!(
            "backup under that load: {:.0} s, file {} ({} keys, {} writes made during it replayed on restore, {} attachments); RSS {} after",
            took.as_secs_f64(),
            gib(summary.file_bytes),
            summary.entries,
            summary.tail_writes,
            summary.attachments,
            rss_split()
        );
        println!("load during the backup (and 2 s before it): {}", describe(&during, took + Duration::from_secs(2)));
        drop(desk);
        drop(store);
    });
    restore(&file, &restored);
    let _ = std::fs::remove_file(&file);
    let _ = std::fs::remove_dir_all(&restored);
}

/// Restores `file` into `restored`, reporting time, size and memory (peak RSS sampled).
fn restore(file: &Path, restored: &Path) {
    let peak = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done) = (peak.clone(), done.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                peak.fetch_max(common::rss_mib(), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(200));
            }
        })
    };
    let started = Instant::now();
    let mut last = Instant::now();
    let summary = frontdesk_store::backup::restore_into(file, restored, &mut |p| {
        if last.elapsed() > Duration::from_secs(30) {
            eprintln!("  restore: {} of {} ({} MiB RSS)", gib(p.done_bytes), gib(p.total_bytes), common::rss_mib());
            last = Instant::now();
        }
    })
    .expect("restore");
    let took = started.elapsed();
    done.store(true, Ordering::Relaxed);
    let _ = sampler.join();
    println!(
        "restore of the {} file into a new folder: {:.0} s ({} keys, {} replayed writes), the folder {}; peak RSS {} MiB",
        gib(summary.file_bytes),
        took.as_secs_f64(),
        summary.entries,
        summary.tail_writes,
        gib(folder_size(restored)),
        peak.load(Ordering::Relaxed)
    );
    let back = Store::open(restored, &StoreConfig::default()).expect("open the restored store");
    println!("the restored store opens; newest event id {:?}", back.last_event_id().expect("events").map(|e| e.0));
}
