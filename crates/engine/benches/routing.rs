//! Routing at size. A load generator (`cargo bench -p frontdesk-engine --bench routing`):
//! 1. one assignment decision with 100 agents and 10,000 waiting conversations (the router
//!    alone): p50 / p99 / max over 100,000 decisions, each made when one agent frees a place;
//! 2. a burst of 10,000 customer arrivals to 100 online agents, routed and persisted end to end
//!    through the engine on a real store: wall time, arrivals per second, each arrival's p99;
//! 3. the router rebuilt on start-up from a store of 1,000,000 conversations: the fixture is
//!    built once into `$FRONTDESK_BENCH_DIR` (default `target/bench-routing`) and reused.
//!
//! `FRONTDESK_BENCH_CONVERSATIONS` makes the stored fixture smaller for a quick look.

mod common;

use common::{fresh_desk, mix, summary, Unit, NOW};
use frontdesk_domain::account::AccountStatus;
use frontdesk_domain::conversation::{Status, Style};
use frontdesk_domain::inbox::{Contact, Conversation, Priority};
use frontdesk_domain::routing::{AgentRouting, Availability, Facts, Place, Requirement, Router, RoutingChanges};
use frontdesk_domain::{Agent, Id, Role, Timestamp};
use frontdesk_engine::{ContactRef, Desk, ManualClock, StoreConfig};
use frontdesk_store::{AgentRecord, Store, TxError};
use std::cmp::Reverse;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

const AGENTS: u64 = 100;
const WAITING: u64 = 10_000;
const MARKER: &str = "fixture-complete";

/// Agent `i`: in team `i % 10`, Spanish for every third, capacity 3, online.
fn profile(i: u64) -> AgentRouting {
    AgentRouting {
        availability: Availability::Online,
        capacity: 3,
        skills: if i.is_multiple_of(3) { vec!["spanish".into()] } else { vec![] },
        teams: vec![Id(900 + i % 10)],
        idle_since: Timestamp(NOW.0 - (i as i64) * 1000),
    }
}

/// Conversation `n`'s requirement: half need a team, one in ten Spanish.
fn requirement(n: u64) -> Requirement {
    let r = mix(n);
    Requirement {
        team: r.is_multiple_of(2).then(|| Id(900 + (r >> 8) % 10)),
        skills: if (r >> 16).is_multiple_of(10) { vec!["spanish".into()] } else { vec![] },
    }
}

fn waiting(n: u64) -> Facts {
    let priority = [Priority::None, Priority::Low, Priority::High][(mix(n) >> 24) as usize % 3];
    let place = Place { priority: Reverse(priority), queued_at: Timestamp(NOW.0 + n as i64), conversation: Id(n) };
    Facts { conversation: Id(n), status: Status::New, assignee: None, waiting: Some((requirement(n), place)) }
}

fn decisions() {
    let mut router = Router::default();
    for i in 0..AGENTS {
        router.set_agent(Id(i), Some(profile(i)));
    }
    let mut next = 1_000_000u64;
    for _ in 0..AGENTS * 3 + WAITING {
        router.sync(&waiting(next));
        next += 1;
    }
    // Fill everyone to capacity first.
    while let Some(a) = router.next_assignment() {
        router.sync(&Facts {
            conversation: a.conversation,
            status: Status::New,
            assignee: Some(a.agent),
            waiting: None,
        });
    }
    let queued = router.queue().len();
    let mut samples = Vec::with_capacity(100_000);
    let mut found = 0;
    for round in 0..100_000u64 {
        // One agent solves one of theirs; a new customer arrives.
        let agent = Id(mix(round) % AGENTS);
        if let Some(c) = router.held_by(agent).first().copied() {
            router.sync(&Facts { conversation: c, status: Status::Solved, assignee: Some(agent), waiting: None });
        }
        router.sync(&waiting(next));
        next += 1;
        let started = Instant::now();
        let decision = router.next_assignment();
        samples.push(started.elapsed());
        if let Some(a) = decision {
            found += 1;
            router.sync(&Facts {
                conversation: a.conversation,
                status: Status::New,
                assignee: Some(a.agent),
                waiting: None,
            });
        }
    }
    println!(
        "decision ({AGENTS} agents, {queued} waiting, {found} of 100000 found someone): {}",
        summary(samples, Unit::Micros)
    );
}

fn agent_record(id: Id, i: u64) -> AgentRecord {
    let agent = Agent {
        id,
        name: format!("Agent {i}"),
        email: format!("agent{i}@bench.test"),
        role: Role::Agent,
        status: AccountStatus::Active,
        created_at: NOW,
        notifications: Default::default(),
        language: None,
    };
    AgentRecord { agent, password_hash: None }
}

async fn desk_with_agents(dir: &Path) -> (Desk, Store, Agent, Vec<Id>) {
    let (desk, store, admin) = fresh_desk(dir).await;
    // Agents written straight to the store (no password: nobody logs in here), then the desk
    // reopened so routing knows them.
    let ids: Vec<Id> = store
        .import::<_, (), _>(NOW, |tx| {
            let mut ids = Vec::new();
            for i in 0..AGENTS {
                let id = tx.new_id();
                tx.put_agent(&agent_record(id, i))?;
                ids.push(id);
            }
            Ok::<_, TxError<()>>(ids)
        })
        .await
        .map_err(|e| format!("{e:?}"))
        .expect("agents")
        .value;
    drop(desk);
    let desk = Desk::with_store(store.clone(), Arc::new(ManualClock::new(NOW))).expect("desk");
    (desk, store, admin, ids)
}

/// A messaging inbox with the default routing (auto-assign on).
async fn web_inbox(desk: &Desk, admin: &Agent) -> Id {
    common::inbox(desk, admin, "Web", Style::Messaging).await
}

async fn burst(dir: &Path) {
    let (desk, _store, admin, agents) = desk_with_agents(dir).await;
    for id in &agents {
        desk.update_agent_routing(&admin, *id, RoutingChanges { capacity: Some(3), ..Default::default() })
            .await
            .expect("capacity");
        desk.set_availability(&admin, *id, Availability::Online).await.expect("online");
    }
    let inbox = web_inbox(&desk, &admin).await;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for n in 0..WAITING {
        let desk = desk.clone();
        tasks.push(tokio::spawn(async move {
            let t = Instant::now();
            let who = ContactRef { email: Some(format!("customer{n}@example.test")), ..Default::default() };
            desk.customer_message(inbox, who, "Hello, I need help with my order").await.expect("arrival");
            t.elapsed()
        }));
    }
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.push(t.await.expect("task"));
    }
    let wall = started.elapsed();
    let overview = desk.routing_overview(1).expect("overview");
    let assigned: u32 = overview.agents.iter().map(|a| a.load).sum();
    assert_eq!(desk.router_snapshot(), desk.router_from_store().expect("rebuild"), "router and store agree");
    println!(
        "burst: {WAITING} arrivals to {AGENTS} online agents in {:.2} s ({:.0}/s): {assigned} assigned, {} waiting; \
         each arrival acked (durable) {}",
        wall.as_secs_f64(),
        WAITING as f64 / wall.as_secs_f64(),
        overview.waiting,
        summary(latencies, Unit::Millis)
    );
}

/// A stored conversation for the rebuild fixture: the first 10,000 wait, the next 300 are held
/// by agents, the rest are done with (closed, solved, pending), assigned to someone.
fn stored(n: u64, id: Id, contact: Id, number: u64, inbox: Id, agents: &[Id]) -> Conversation {
    let r = mix(n);
    let agent = agents[(r % agents.len() as u64) as usize];
    let (status, assignee) = match n {
        n if n < WAITING => (Status::New, None),
        n if n < WAITING + AGENTS * 3 => (if r.is_multiple_of(2) { Status::New } else { Status::Open }, Some(agent)),
        _ => (
            [Status::Closed, Status::Closed, Status::Closed, Status::Solved, Status::Pending][(r >> 8) as usize % 5],
            Some(agent),
        ),
    };
    let at = Timestamp(NOW.0 - (r % (365 * 24 * 3600 * 1000)) as i64);
    Conversation {
        status,
        assignee,
        closes_at: if status == Status::Solved { Some(Timestamp(NOW.0 + 3600 * 1000)) } else { None },
        last_seq: 1,
        queued_at: assignee.is_none().then_some(at),
        ..Conversation::start(id, number, inbox, contact, None, None, at)
    }
}

async fn rebuild(dir: &Path, conversations: u64) {
    let intact = std::fs::read_to_string(dir.join(MARKER)).ok() == Some(conversations.to_string());
    if !intact {
        let (desk, store, admin, agents) = desk_with_agents(dir).await;
        let inbox = web_inbox(&desk, &admin).await;
        drop(desk);
        let agents = Arc::new(agents);
        let started = Instant::now();
        const CHUNK: u64 = 200;
        for chunk in 0..conversations.div_ceil(CHUNK) {
            let agents = agents.clone();
            store
                .import::<_, (), _>(NOW, move |tx| {
                    for n in chunk * CHUNK..((chunk + 1) * CHUNK).min(conversations) {
                        let number = tx.next_conversation_number()?;
                        let contact = Contact {
                            id: tx.new_id(),
                            name: None,
                            email: Some(format!("c{n}@example.test")),
                            email_verified: true,
                            identifier: None,
                            language: None,
                            created_at: NOW,
                        };
                        tx.put_contact(&contact)?;
                        let c = stored(n, tx.new_id(), contact.id, number, inbox, &agents);
                        tx.put_conversation(&c)?;
                    }
                    Ok::<_, TxError<()>>(())
                })
                .await
                .map_err(|e| format!("{e:?}"))
                .expect("import");
            let done = ((chunk + 1) * CHUNK).min(conversations);
            if chunk % 1000 == 999 || done == conversations {
                eprintln!("  fixture: {done}/{conversations} ({:.0} s)", started.elapsed().as_secs_f64());
            }
        }
        store.flush().expect("flush");
        drop(store);
        std::fs::write(dir.join(MARKER), conversations.to_string()).expect("marker");
    }
    let mut samples = Vec::new();
    let mut sizes = (0, 0);
    for _ in 0..5 {
        let store = Store::open(dir, &StoreConfig { cache_bytes: 256 << 20 }).expect("open the fixture");
        let started = Instant::now();
        let desk = Desk::with_store(store, Arc::new(ManualClock::new(NOW))).expect("desk");
        samples.push(started.elapsed());
        let r = desk.router_snapshot();
        sizes = (r.queue().len(), r.agents().map(|(id, _)| r.load(id)).sum::<u32>());
    }
    println!(
        "rebuild from {conversations} stored conversations ({} waiting, {} held by {AGENTS} agents; store opened \
         fresh each time, OS page cache warm): {}",
        sizes.0,
        sizes.1,
        summary(samples, Unit::Millis)
    );
}

fn main() {
    let conversations: u64 =
        std::env::var("FRONTDESK_BENCH_CONVERSATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let dir = std::env::var_os("FRONTDESK_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-routing"));
    decisions();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    rt.block_on(async {
        let burst_dir = dir.with_extension("burst");
        burst(&burst_dir).await;
        let _ = std::fs::remove_dir_all(&burst_dir);
        rebuild(&dir, conversations).await;
    });
}
