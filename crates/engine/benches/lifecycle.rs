//! The lifecycle at size: a store with 1,000,000 conversations and 10,000,000 messages (their
//! contacts, view entries, counters, timers and events too), then
//! - the first page (50) of each sidebar view: p50 / p99 / max over 1,000 reads each;
//! - status changes through the engine: p99 of the command's own work (run + indexes + event +
//!   timer, applied) without the durable flush, and p99 with it;
//! - 100,000 auto-close timers falling due at once, drained through the engine;
//! - the store's size on disk per million messages.
//!
//! A load generator (`cargo bench -p frontdesk-engine --bench lifecycle`). The fixture is built
//! once into `$FRONTDESK_BENCH_DIR` (default `target/bench-lifecycle`) with the store's import
//! path and reused while it is intact; draining the timers uses it up, so the next run rebuilds.
//! `FRONTDESK_BENCH_CONVERSATIONS` makes it smaller for a quick look; `FRONTDESK_BENCH_FIXTURE_ONLY`
//! stops once the fixture is built, so a copy of it can be kept for repeated drains.

mod common;

use common::{fresh_desk, mix, rss_mib, summary, Unit, NOW};
use frontdesk_domain::conversation::{Status, Style};
use frontdesk_domain::inbox::{Contact, Conversation, Message, MessageKind, Priority};
use frontdesk_domain::view::View;
use frontdesk_domain::{Agent, Id, Timestamp};
use frontdesk_engine::{Desk, ManualClock, StatusRequest, StoreConfig};
use frontdesk_store::Store;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

const MESSAGES_PER_CONVERSATION: u64 = 10;
const DUE_AT_ONCE: u64 = 100_000;
const DAY_MS: i64 = 24 * 3600 * 1000;
/// When the 100,000 timers fall due together.
const DUE: Timestamp = Timestamp(NOW.0 + 3600 * 1000);
const LABELS: [&str; 8] = ["billing", "refund", "shipping", "bug", "vip", "feature", "account", "urgent"];
const MARKER: &str = "fixture-complete";

struct Plan {
    inboxes: Vec<Id>,
    teams: Vec<Id>,
    agents: Vec<Id>,
}

/// One conversation of the fixture, its contact and messages, decided by `n` alone.
fn conversation(
    n: u64,
    number: u64,
    ids: [Id; 2],
    plan: &Plan,
    due_at_once: u64,
) -> (Contact, Conversation, Vec<Message>) {
    let r = mix(n);
    let created_at = Timestamp(NOW.0 - (r % (90 * DAY_MS as u64)) as i64 - DAY_MS);
    let contact = Contact {
        id: ids[0],
        name: Some(format!("Customer {n}")),
        email: Some(format!("customer{n}@example.test")),
        email_verified: true,
        identifier: None,
        language: None,
        created_at,
    };
    // The first `due_at_once` are solved, closing together; the rest get a realistic mix.
    let status = if n < due_at_once {
        Status::Solved
    } else {
        match (r >> 8) % 100 {
            0..=14 => Status::New,
            15..=39 => Status::Open,
            40..=49 => Status::Pending,
            50..=54 => Status::OnHold,
            55..=59 => Status::Snoozed,
            60..=64 => Status::Solved,
            _ => Status::Closed,
        }
    };
    let assignee = (status != Status::New).then(|| plan.agents[((r >> 16) % plan.agents.len() as u64) as usize]);
    let team = ((r >> 24) % 10 < 3).then(|| plan.teams[((r >> 28) % plan.teams.len() as u64) as usize]);
    let mut labels: Vec<String> =
        (0..(r >> 32) % 3).map(|i| LABELS[((r >> (36 + 4 * i)) % LABELS.len() as u64) as usize].to_string()).collect();
    labels.sort();
    labels.dedup();
    let id = ids[1];
    let mut messages = Vec::new();
    let mut at = created_at;
    for seq in 1..=MESSAGES_PER_CONVERSATION {
        at = Timestamp(at.0 + ((mix(n ^ seq) % 3_600_000) as i64));
        let (kind, author) = match seq % 3 {
            1 => (MessageKind::Incoming, None),
            2 => (MessageKind::Outgoing, assignee),
            _ if seq == MESSAGES_PER_CONVERSATION => (MessageKind::PrivateNote, assignee),
            _ => (MessageKind::Incoming, None),
        };
        let content = format!(
            "Message {seq} of conversation {number}: thanks for getting back to me, the order #{} still has not arrived and I would like to know when it will.",
            r % 100_000
        );
        messages.push(Message {
            conversation: id,
            seq,
            kind,
            author,
            content,
            created_at: at,
            mentions: vec![],
            attachments: vec![],
            deleted: false,
            activity: None,
        });
    }
    let wakes_at = (status == Status::Snoozed).then(|| Timestamp(NOW.0 + 2 * DAY_MS + (r % DAY_MS as u64) as i64));
    let closes_at = match status {
        Status::Solved if n < due_at_once => Some(DUE),
        Status::Solved => Some(Timestamp(DUE.0 + DAY_MS + (r % (3 * DAY_MS as u64)) as i64)),
        _ => None,
    };
    let inbox = plan.inboxes[((r >> 40) % plan.inboxes.len() as u64) as usize];
    let c = Conversation {
        status,
        assignee,
        labels,
        priority: [Priority::None, Priority::Low, Priority::Medium, Priority::High][((r >> 44) % 4) as usize],
        wakes_at,
        closes_at,
        last_activity_at: at,
        last_seq: MESSAGES_PER_CONVERSATION,
        ..Conversation::start(id, number, inbox, contact.id, team, None, created_at)
    };
    (contact, c, messages)
}

async fn build(dir: &Path, conversations: u64) -> (Desk, Store, Agent) {
    let (desk, store, admin) = fresh_desk(dir).await;
    let mut inboxes = Vec::new();
    for (name, style) in [("Chat", Style::LiveChatReturning), ("Email", Style::Messaging), ("Help", Style::Messaging)] {
        inboxes.push(common::inbox(&desk, &admin, name, style).await);
    }
    let mut teams = Vec::new();
    for name in ["Billing", "Logistics", "Tech"] {
        teams.push(desk.create_team(&admin, name).await.expect("team").id);
    }
    let mut agents = vec![admin.id];
    agents.extend((1..8).map(|i| Id(1_000 + i))); // assignees only need ids for views
    let plan = Arc::new(Plan { inboxes, teams, agents });
    let started = Instant::now();
    let due_at_once = DUE_AT_ONCE.min(conversations / 10);
    common::import(&store, conversations, move |n, number, ids| conversation(n, number, ids, &plan, due_at_once)).await;
    std::fs::write(dir.join(MARKER), conversations.to_string()).expect("write the marker");
    eprintln!("  fixture built in {:.0} s", started.elapsed().as_secs_f64());
    (desk, store, admin)
}

/// The desk's binary keeps glibc to 2 heap arenas (src-tauri/src/main.rs, for idle memory); the
/// bench does the same, so its figures are the desk's (the drain runs ~18% faster with glibc's
/// default, see BENCHMARKS.md). `MALLOC_ARENA_MAX` in the environment still decides if given.
fn malloc_arenas_as_the_desk() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only sets an allocator parameter; no other thread runs yet.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
}

fn main() {
    malloc_arenas_as_the_desk();
    let conversations: u64 =
        std::env::var("FRONTDESK_BENCH_CONVERSATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let dir = std::env::var_os("FRONTDESK_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-lifecycle"));
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    rt.block_on(async {
        let intact = std::fs::read_to_string(dir.join(MARKER)).ok() == Some(conversations.to_string());
        let clock = Arc::new(ManualClock::new(NOW));
        if intact {
            eprintln!("reusing the fixture in {}", dir.display());
        } else {
            eprintln!("building the fixture ({conversations} conversations) in {}", dir.display());
            drop(build(&dir, conversations).await);
        }
        if std::env::var_os("FRONTDESK_BENCH_FIXTURE_ONLY").is_some() {
            // For profiling: keep a copy of the fixture and run the drain on copies of it.
            eprintln!("FRONTDESK_BENCH_FIXTURE_ONLY is set: the fixture is there, nothing is measured");
            return;
        }
        // Measure on a store opened as a desk opens it: default cache, nothing warm.
        let store = Store::open(&dir, &StoreConfig::default()).expect("open the fixture");
        let desk = Desk::with_store(store.clone(), clock.clone()).expect("open the desk");
        let admin = desk.login("ana@bench.test", "correct horse".into(), "bench").await.expect("login").agent;
        let messages = desk.count(&View::All, None).expect("count") * MESSAGES_PER_CONVERSATION;
        let size = store.size_on_disk().expect("size");
        println!("## Lifecycle at size (crates/engine/benches/lifecycle.rs)");
        println!(
            "store: {} conversations, {messages} messages; {:.2} GiB on disk = {:.0} MiB per million messages (all records, indexes and events included)",
            desk.count(&View::All, None).expect("count"),
            size as f64 / f64::from(1u32 << 30),
            size as f64 / (1u64 << 20) as f64 / (messages as f64 / 1e6)
        );

        // First pages of the sidebar's views.
        let inbox = desk.inboxes(&admin).expect("inboxes")[1].id;
        let team = desk.teams().expect("teams")[0].id;
        let views: Vec<(&str, View, Option<Status>)> = vec![
            ("all", View::All, None),
            ("all, open", View::All, Some(Status::Open)),
            ("unassigned, new", View::Unassigned, Some(Status::New)),
            ("mine, open", View::Assignee(admin.id), Some(Status::Open)),
            ("inbox", View::Inbox(inbox), None),
            ("team, pending", View::Team(team), Some(Status::Pending)),
            ("label vip", View::Label("vip".into()), None),
            ("closed", View::All, Some(Status::Closed)),
        ];
        let mut all_samples = Vec::new();
        for (name, view, status) in &views {
            let mut samples = Vec::new();
            for i in 0..1_100 {
                let t = Instant::now();
                let page = desk.conversations(view, *status, None, 50).expect("page");
                let took = t.elapsed();
                assert_eq!(page.len(), 50, "view {name} has a full first page");
                if i >= 100 {
                    samples.push(took);
                }
            }
            all_samples.extend(samples.iter().copied());
            println!("first page of 50, {name}: {}", summary(samples, Unit::Millis));
        }
        println!("first page of 50, every view above: {}", summary(all_samples, Unit::Millis));

        // Status changes: open -> pending -> open ... and open -> solved (close timer), on
        // conversations taken from the open view.
        let mut targets = Vec::new();
        let mut cursor = None;
        while targets.len() < 3_000 {
            let page = desk.conversations(&View::All, Some(Status::Open), cursor, 200).expect("open page");
            let Some(last) = page.last() else { break };
            cursor = Some(frontdesk_engine::ViewCursor::after(last));
            targets.extend(page.iter().map(|c| c.id));
        }
        let (mut work, mut total) = (Vec::new(), Vec::new());
        for (i, id) in targets.iter().enumerate() {
            let requests: &[StatusRequest] =
                if i % 3 == 0 { &[StatusRequest::Solved] } else { &[StatusRequest::Pending, StatusRequest::Open] };
            for request in requests {
                let t = Instant::now();
                desk.change_status(&admin, *id, *request).await.expect("status change");
                total.push(t.elapsed());
                work.push(store.last_batch_work());
            }
        }
        println!("status change, command work without the flush: {}", summary(work, Unit::Millis));
        println!("status change, acknowledged (durable flush included): {}", summary(total, Unit::Millis));

        // 100,000 close timers due at once.
        let due = desk.count(&View::All, Some(Status::Solved)).expect("count");
        clock.advance(Duration::from_millis((DUE.0 - NOW.0) as u64 + 1));
        let t = Instant::now();
        let fired = desk.fire_due_timers().await.expect("drain");
        let took = t.elapsed();
        println!(
            "timers due at once: {fired} fired in {:.2} s ({:.0}/s; {due} solved conversations held timers)",
            took.as_secs_f64(),
            fired as f64 / took.as_secs_f64()
        );
        println!("resident memory at the end: {} MiB (store cache 32 MiB)", rss_mib());
        let _ = std::fs::remove_file(dir.join(MARKER)); // the drain used the fixture up
        let problems = if conversations <= 100_000 { desk.check_indexes().expect("check") } else { Vec::new() };
        assert!(problems.is_empty(), "{problems:?}");
    });
}
