//! What the engine's load generators share: "now", a fixed number stream, latency summaries,
//! and a fresh desk set up on a store in a given folder.

// Each bench is its own binary and uses only part of this.
#![allow(dead_code)]

use frontdesk_domain::conversation::Style;
use frontdesk_domain::inbox::{Contact, Conversation, InboxSettings, Message};
use frontdesk_domain::{Agent, EventKind, Id, SetupRequest, Timestamp};
use frontdesk_engine::{Desk, ManualClock, StoreConfig};
use frontdesk_store::{Store, TxError};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// 2027-01-15 10:00 UTC: "now" for every benchmark.
pub const NOW: Timestamp = Timestamp(1_800_007_200_000);

/// splitmix64: a fixed, fast stream of numbers, so fixtures are the same every time.
pub fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// How a summary prints its figures.
#[derive(Clone, Copy)]
pub enum Unit {
    Millis,
    Micros,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// "p50 …, p99 …, max … (n samples)".
pub fn summary(mut samples: Vec<Duration>, unit: Unit) -> String {
    samples.sort();
    let show = |d: Duration| match unit {
        Unit::Millis => format!("{:.3} ms", d.as_secs_f64() * 1e3),
        Unit::Micros => format!("{:.2} µs", d.as_secs_f64() * 1e6),
    };
    format!(
        "p50 {}, p99 {}, max {} ({} samples)",
        show(percentile(&samples, 0.5)),
        show(percentile(&samples, 0.99)),
        show(*samples.last().unwrap_or(&Duration::ZERO)),
        samples.len()
    )
}

/// An empty store in `dir` (whatever was there is removed) with a desk set up on it: the
/// business "Bench" and its admin Ana.
pub async fn fresh_desk(dir: &Path) -> (Desk, Store, Agent) {
    let _ = std::fs::remove_dir_all(dir);
    let store = Store::open(dir, &StoreConfig { cache_bytes: 256 << 20 }).expect("open the fixture store");
    let desk = Desk::with_store(store.clone(), Arc::new(ManualClock::new(NOW))).expect("open the desk");
    let setup = SetupRequest {
        business_name: "Bench".into(),
        admin_name: "Ana".into(),
        email: "ana@bench.test".into(),
        password: "correct horse".into(),
    };
    let admin = desk.setup(setup).await.expect("setup").agent;
    (desk, store, admin)
}

/// An inbox named `name` of `style`, everything else the defaults; its id.
pub async fn inbox(desk: &Desk, admin: &Agent, name: &str, style: Style) -> Id {
    let settings = InboxSettings {
        business_hours: None,
        transcript_on_solve: None,
        name: name.into(),
        style,
        close_after_secs: None,
        time_zone: None,
        business_day_starts_at: None,
        routing: None,
    };
    desk.create_inbox(admin, settings).await.expect("create an inbox").id
}

/// Resident memory of this process.
pub fn rss_mib() -> u64 {
    status_mib("VmRSS:")
}

/// Resident memory of this process as "N MiB (anonymous A, mapped files F)": mapped files
/// (sled's and the search index's) are pages the kernel can drop and read again.
pub fn rss_split() -> String {
    format!("{} MiB (anonymous {}, mapped files {})", rss_mib(), status_mib("RssAnon:"), status_mib("RssFile:"))
}

fn status_mib(key: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = status.lines().find(|l| l.starts_with(key)).and_then(|l| l.split_whitespace().nth(1));
    kb.and_then(|k| k.parse::<u64>().ok()).unwrap_or(0) / 1024
}

/// Conversations per import command. Small on purpose: with 2,000 (about 75,000 writes per
/// sled batch) the process grew by ~30 MiB per 1,000 conversations and never gave it back; with
/// 100 it stays near 500 MiB.
const IMPORT_CHUNK: u64 = 100;

/// Writes `total` conversations into the store through its import path, each made by
/// `make(n, number, [contact id, conversation id])` with its contact and messages, with the
/// events a desk would have recorded; prints progress every 50,000.
pub async fn import<F>(store: &Store, total: u64, make: F)
where
    F: Fn(u64, u64, [Id; 2]) -> (Contact, Conversation, Vec<Message>) + Send + Sync + 'static,
{
    let make = Arc::new(make);
    let started = Instant::now();
    for chunk in 0..total.div_ceil(IMPORT_CHUNK) {
        let make = make.clone();
        store
            .import::<_, (), _>(NOW, move |tx| {
                for n in chunk * IMPORT_CHUNK..((chunk + 1) * IMPORT_CHUNK).min(total) {
                    let number = tx.next_conversation_number()?;
                    let ids = [tx.new_id(), tx.new_id()];
                    let (contact, c, messages) = make(n, number, ids);
                    tx.put_contact(&contact)?;
                    let created = EventKind::ConversationCreated {
                        conversation: c.id,
                        inbox: c.inbox,
                        contact: contact.id,
                        previous: None,
                    };
                    tx.record(None, created)?;
                    for m in &messages {
                        let private = !m.kind.is_public();
                        tx.put_message(m)?;
                        tx.record(m.author, EventKind::MessageCreated { conversation: c.id, seq: m.seq, private })?;
                    }
                    tx.put_conversation(&c)?;
                }
                Ok::<_, TxError<()>>(())
            })
            .await
            .map_err(|e| format!("{e:?}"))
            .expect("import a chunk");
        let done = ((chunk + 1) * IMPORT_CHUNK).min(total);
        if chunk % 500 == 499 || done == total {
            let secs = started.elapsed().as_secs_f64();
            eprintln!(
                "  fixture: {done}/{total} conversations ({:.0}/s, {secs:.0} s, RSS {} MiB)",
                done as f64 / secs,
                rss_mib()
            );
        }
    }
    store.flush().expect("flush the fixture");
}
