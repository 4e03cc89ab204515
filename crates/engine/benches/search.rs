//! Search at size, through the engine on a real store: 1,000,000 conversations holding
//! 10,000,000 messages of varied text (a Zipf-like vocabulary of everyday support words in
//! English, Spanish and Italian with a long tail of rare ones, order numbers), then
//! - ingest: customer messages from 32 concurrent senders for 20 s on a desk without search,
//!   the ceiling;
//! - the full rebuild of the index from the store (what a deleted index folder costs), with its
//!   progress, the index's size on disk and the RSS it adds;
//! - queries as `GET /api/v1/search` runs them (index, then each hit's conversation, contact
//!   and snippet read from the store): a rare word, a common word, a phrase, a filtered query;
//!   p50 / p95 / max over 300 each, 20 results a page;
//! - ingest again with the indexer running: its cost to ingest throughput, and how far the
//!   index trails (time to catch up once the senders stop).
//!
//! A load generator (`cargo bench -p frontdesk-engine --bench search`). The store is built once
//! into `$FRONTDESK_BENCH_DIR` (default `target/bench-search`) and reused while intact; the index
//! goes to a `search` folder beside it and is rebuilt every run.
//! `FRONTDESK_BENCH_CONVERSATIONS` makes it smaller for a quick look.

mod common;

use common::{fresh_desk, mix, rss_split, NOW};
use frontdesk_domain::conversation::{Status, Style};
use frontdesk_domain::inbox::{Contact, Conversation, Message, MessageKind};
use frontdesk_domain::{Agent, Id, Timestamp};
use frontdesk_engine::{ContactRef, Desk, ManualClock, SearchRequest, StoreConfig};
use frontdesk_store::Store;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const MESSAGES_PER_CONVERSATION: u64 = 10;
const WORDS_PER_MESSAGE: u64 = 22;
/// Distinct words: the first ranks are everyday support words, the rest a long tail.
const VOCABULARY: u64 = 200_000;
const COMMON: [&str; 48] = [
    "order",
    "thanks",
    "please",
    "hello",
    "refund",
    "delivery",
    "arrived",
    "package",
    "help",
    "account",
    "payment",
    "card",
    "pedido",
    "gracias",
    "reembolso",
    "entrega",
    "ordine",
    "grazie",
    "rimborso",
    "consegna",
    "today",
    "week",
    "price",
    "shipping",
    "address",
    "cancel",
    "request",
    "invoice",
    "return",
    "product",
    "size",
    "color",
    "store",
    "email",
    "password",
    "login",
    "error",
    "problem",
    "still",
    "waiting",
    "answer",
    "soon",
    "number",
    "tracking",
    "late",
    "again",
    "cancelación",
    "perché",
];
const LABELS: [&str; 6] = ["billing", "refund", "shipping", "bug", "vip", "urgent"];
const DAY_MS: i64 = 24 * 3600 * 1000;
const MARKER: &str = "fixture-complete";
const SENDERS: u64 = 32;
const INGEST_FOR: Duration = Duration::from_secs(20);

fn folder_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir).map(|e| e.filter_map(|e| e.ok()?.metadata().ok()).map(|m| m.len()).sum()).unwrap_or(0)
}

/// The word of a rank: a real word for the first ranks, a made-up one (the same every run) after.
fn word(rank: u64) -> String {
    if let Some(w) = COMMON.get(rank as usize) {
        return w.to_string();
    }
    const SYLLABLES: [&str; 16] =
        ["ka", "lo", "mi", "ter", "so", "pra", "vin", "de", "lu", "mar", "to", "ne", "ri", "fal", "co", "sen"];
    let mut r = rank;
    let mut w = String::new();
    while r > 0 || w.len() < 4 {
        w.push_str(SYLLABLES[(r % 16) as usize]);
        r /= 16;
    }
    w
}

/// A rank drawn log-uniformly (Zipf-like): rank 0 is the most common.
fn rank(x: u64) -> u64 {
    let u = (x % 1_000_000) as f64 / 1_000_000.0;
    ((VOCABULARY as f64).powf(u) - 1.0) as u64
}

fn text(n: u64, seq: u64) -> String {
    let mut text = String::new();
    for w in 0..WORDS_PER_MESSAGE {
        let x = mix(n * 1000 + seq * 50 + w);
        if w == 7 && seq == 1 {
            text.push_str(&format!("A-{} ", 10_000 + x % 900_000));
        } else {
            text.push_str(&word(rank(x)));
            text.push(' ');
        }
    }
    text.pop();
    text
}

/// One conversation of the fixture, its contact and messages, decided by `n` alone.
fn conversation(
    n: u64,
    number: u64,
    ids: [Id; 2],
    inboxes: &[Id],
    agents: &[Id],
) -> (Contact, Conversation, Vec<Message>) {
    let r = mix(n);
    let created_at = Timestamp(NOW.0 - (r % (90 * DAY_MS as u64)) as i64 - DAY_MS);
    let contact = Contact {
        id: ids[0],
        name: Some(format!("Customer {n}")),
        email: Some(format!("customer{n}@example.test")),
        email_verified: true,
        identifier: None,
        language: Some(["en", "en", "es", "it"][(r % 4) as usize].into()),
        created_at,
    };
    let status = [Status::New, Status::Open, Status::Open, Status::Pending, Status::Solved, Status::Closed]
        [((r >> 8) % 6) as usize];
    let assignee = (status != Status::New).then(|| agents[((r >> 16) % agents.len() as u64) as usize]);
    let mut labels: Vec<String> =
        (0..(r >> 32) % 3).map(|i| LABELS[((r >> (36 + 4 * i)) % 6) as usize].into()).collect();
    labels.sort();
    labels.dedup();
    let mut messages = Vec::new();
    let mut at = created_at;
    for seq in 1..=MESSAGES_PER_CONVERSATION {
        at = Timestamp(at.0 + ((mix(n ^ seq) % 3_600_000) as i64));
        let (kind, author) = match seq % 3 {
            2 => (MessageKind::Outgoing, assignee),
            _ if seq == MESSAGES_PER_CONVERSATION => (MessageKind::PrivateNote, assignee),
            _ => (MessageKind::Incoming, None),
        };
        messages.push(Message {
            conversation: ids[1],
            seq,
            kind,
            author,
            content: text(n, seq),
            created_at: at,
            mentions: vec![],
            attachments: vec![],
            deleted: false,
            activity: None,
        });
    }
    let c = Conversation {
        status,
        assignee,
        labels,
        last_activity_at: at,
        last_seq: MESSAGES_PER_CONVERSATION,
        ..Conversation::start(
            ids[1],
            number,
            inboxes[((r >> 40) % inboxes.len() as u64) as usize],
            ids[0],
            None,
            None,
            created_at,
        )
    };
    (contact, c, messages)
}

async fn build(dir: &Path, conversations: u64) {
    let (desk, store, admin) = fresh_desk(dir).await;
    let mut inboxes = Vec::new();
    for name in ["Web", "Tienda", "Negozio"] {
        inboxes.push(common::inbox(&desk, &admin, name, Style::Messaging).await);
    }
    let mut agents = vec![admin.id];
    agents.extend((1..8).map(|i| Id(1_000 + i)));
    common::import(&store, conversations, move |n, number, ids| conversation(n, number, ids, &inboxes, &agents)).await;
    std::fs::write(dir.join(MARKER), conversations.to_string()).expect("write the marker");
}

/// Customer messages from `SENDERS` concurrent senders to existing customers for `INGEST_FOR`:
/// acknowledged messages a second.
async fn ingest(desk: &Desk, inboxes: &[Id], conversations: u64, round: u64) -> f64 {
    let sent = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut senders = Vec::new();
    for s in 0..SENDERS {
        let (desk, sent, stop, inboxes) = (desk.clone(), sent.clone(), stop.clone(), inboxes.to_vec());
        senders.push(tokio::spawn(async move {
            let mut i = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let n = mix(round * 1_000_000_007 + s * 1_000_003 + i) % conversations;
                let who = ContactRef { email: Some(format!("customer{n}@example.test")), ..Default::default() };
                let content = format!("{} about order A-{}", text(n + round, 20 + i % 10), 10_000 + i);
                desk.customer_message(inboxes[(n % 3) as usize], who, &content).await.expect("customer message");
                sent.fetch_add(1, Ordering::Relaxed);
                i += 1;
            }
        }));
    }
    tokio::time::sleep(INGEST_FOR).await;
    stop.store(true, Ordering::Relaxed);
    for s in senders {
        s.await.expect("sender");
    }
    sent.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}

fn main() {
    let conversations: u64 =
        std::env::var("FRONTDESK_BENCH_CONVERSATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let dir = std::env::var_os("FRONTDESK_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-search"));
    let store_dir = dir.join("store");
    let search_dir = dir.join("search");
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    rt.block_on(async {
        if std::fs::read_to_string(store_dir.join(MARKER)).ok() != Some(conversations.to_string()) {
            eprintln!("building the fixture ({conversations} conversations) in {}", store_dir.display());
            build(&store_dir, conversations).await;
        } else {
            eprintln!("reusing the fixture in {}", store_dir.display());
        }
        let clock = Arc::new(ManualClock::new(NOW));
        // Measured on a store opened as a desk opens it: default cache.
        let store = Store::open(&store_dir, &StoreConfig::default()).expect("open the fixture");
        let login = |desk: Desk| async move {
            let admin: Agent = desk.login("ana@bench.test", "correct horse".into(), "bench").await.expect("login").agent;
            admin
        };
        println!("## Search at size (crates/engine/benches/search.rs)");
        println!(
            "store: {conversations} conversations and {} messages as built (earlier runs' ingest adds some), {:.2} GiB on disk",
            conversations * MESSAGES_PER_CONVERSATION,
            store.size_on_disk().expect("size") as f64 / f64::from(1u32 << 30)
        );

        // The ceiling: the same ingest on a desk without search.
        let bare = Desk::with_store(store.clone(), clock.clone()).expect("desk without search");
        let admin = login(bare.clone()).await;
        let inboxes: Vec<Id> = bare.inboxes(&admin).expect("inboxes").iter().map(|i| i.id).collect();
        let ceiling = ingest(&bare, &inboxes, conversations, 1).await;
        println!(
            "ingest without search ({SENDERS} senders, {} s): {ceiling:.0} customer messages/s; RSS {} after it",
            INGEST_FOR.as_secs(),
            rss_split()
        );
        drop(bare);

        // The full rebuild, as after a deleted index folder.
        let _ = std::fs::remove_dir_all(&search_dir);
        let rss_before = rss_split();
        let desk = Desk::with_store_and_search(store.clone(), clock.clone(), &search_dir).expect("desk with search");
        let started = Instant::now();
        let indexer = tokio::spawn(desk.clone().run_indexer());
        let mut last_report = Instant::now();
        loop {
            let progress = desk.search(&SearchRequest { limit: Some(1), ..Default::default() }).ok().map(|r| r.rebuilding);
            match progress {
                Some(None) => break,
                Some(Some(p)) if last_report.elapsed() > Duration::from_secs(30) => {
                    eprintln!("  rebuilding: {}/{} conversations ({:.0} s)", p.done, p.total, started.elapsed().as_secs_f64());
                    last_report = Instant::now();
                }
                _ => {}
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        desk.search_caught_up().await.expect("caught up");
        let rebuild = started.elapsed();
        let (index_bytes, docs) = desk.search_index_stats().expect("index stats");
        println!(
            "full rebuild from the store: {docs} conversations in {:.0} s ({:.0} conversations/s, {:.0} messages/s)",
            rebuild.as_secs_f64(),
            docs as f64 / rebuild.as_secs_f64(),
            (docs * MESSAGES_PER_CONVERSATION) as f64 / rebuild.as_secs_f64()
        );
        println!(
            "index on disk: {:.0} MiB ({:.0} MiB per million messages); RSS {rss_before} before the index, {} after the rebuild",
            index_bytes as f64 / 1048576.0,
            folder_size(&search_dir) as f64 / 1048576.0 / ((docs * MESSAGES_PER_CONVERSATION) as f64 / 1e6),
            rss_split()
        );

        // Queries, end to end.
        let admin = login(desk.clone()).await;
        let rare: Vec<String> = (0..300).map(|i| word(VOCABULARY - 2 - i * 37)).collect();
        let common_words = ["order", "refund", "reembolso", "package", "rimborso", "tracking"];
        let phrases = ["\"order arrived\"", "\"please help\"", "\"still waiting\"", "\"refund request\""];
        let mut rows = Vec::new();
        let mut run = |name: &str, make: &dyn Fn(usize) -> SearchRequest| {
            let mut samples = Vec::new();
            let mut matches = 0usize;
            for i in 0..300 {
                let request = make(i);
                let t = Instant::now();
                let found = desk.search(&request).expect("search");
                samples.push(t.elapsed());
                matches += found.total;
            }
            samples.sort();
            let at = |p: f64| samples[((samples.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1e3;
            rows.push(format!(
                "| {name} | {:.2} ms | {:.2} ms | {:.2} ms | {} |",
                at(0.5),
                at(0.95),
                at(1.0),
                matches / 300
            ));
        };
        let q = |text: &str| SearchRequest { q: format!("{text} "), limit: Some(20), ..Default::default() };
        run("rare word", &|i| q(&rare[i]));
        run("common word", &|i| q(common_words[i % common_words.len()]));
        run("phrase", &|i| q(phrases[i % phrases.len()]));
        run("common word + status open + label billing", &|i| SearchRequest {
            status: vec![Status::Open],
            label: Some("billing".into()),
            ..q(common_words[i % common_words.len()])
        });
        run("common word + assignee + last 30 days", &|i| SearchRequest {
            assignee: Some(admin.id.to_string()),
            from: Some(Timestamp(NOW.0 - 30 * DAY_MS)),
            ..q(common_words[i % common_words.len()])
        });
        run("common word, by relevance", &|i| SearchRequest {
            order: Some("relevance".into()),
            ..q(common_words[i % common_words.len()])
        });
        run("order number prefix (A-1234…)", &|i| SearchRequest {
            q: format!("A-{}", 1000 + i * 7),
            limit: Some(20),
            ..Default::default()
        });
        println!("| query (20 results, newest first, with snippets) | p50 | p95 | max | matches (mean) |");
        println!("|---|---:|---:|---:|---:|");
        for row in rows {
            println!("{row}");
        }

        // Ingest with the indexer running, and how far the index trails.
        let with_search = ingest(&desk, &inboxes, conversations, 2).await;
        let stopped = Instant::now();
        desk.search_caught_up().await.expect("caught up");
        let lag = stopped.elapsed().as_secs_f64();
        println!(
            "ingest with the indexer running: {with_search:.0} customer messages/s = {:.2} of the ceiling; the index caught up {lag:.2} s after the senders stopped, so it made {:.0} messages/s searchable",
            with_search / ceiling,
            with_search * INGEST_FOR.as_secs_f64() / (INGEST_FOR.as_secs_f64() + lag)
        );
        println!("RSS at the end: {} (store cache 32 MiB)", rss_split());
        indexer.abort();
    });
}
