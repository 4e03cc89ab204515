//! Durable timers across crashes: a child process schedules 10,000 auto-close timers and is
//! SIGKILLed; a second child, its clock moved past them, is SIGKILLed while firing them; the
//! desk reopened once more fires the rest. Every timer fires exactly once.

mod common;

use frontdesk_domain::conversation::{Status, Style};
use frontdesk_domain::inbox::{InboxSettings, MessageKind};
use frontdesk_domain::view::View;
use frontdesk_domain::{EventKind, Timestamp};
use frontdesk_engine::{ContactRef, Desk, ManualClock, StatusRequest, StoreConfig};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

const CHILD_DIR: &str = "FRONTDESK_TIMER_CHILD_DIR";
const CHILD_PHASE: &str = "FRONTDESK_TIMER_CHILD_PHASE";
const TIMERS: usize = 10_000;
const START: Timestamp = Timestamp(1_800_007_200_000);
/// Past every close window (1 hour) set at START.
const LATER: Timestamp = Timestamp(START.0 + 2 * 3600 * 1000);
const CLOSED_TEXT: &str = "The conversation was closed automatically";

fn open(dir: &Path, at: Timestamp) -> Desk {
    Desk::open(dir, &StoreConfig::default(), Arc::new(ManualClock::new(at)), &mut |_| {}).unwrap()
}

/// Runs this test binary as a child in `phase`; returns it with its stdout lines.
fn child(dir: &Path, phase: &str) -> (std::process::Child, std::io::Lines<BufReader<std::process::ChildStdout>>) {
    let mut c = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "timer_child", "--nocapture", "--include-ignored"])
        .env(CHILD_DIR, dir)
        .env(CHILD_PHASE, phase)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let lines = BufReader::new(c.stdout.take().unwrap()).lines();
    (c, lines)
}

#[test]
fn ten_thousand_timers_each_fire_once_across_a_kill_before_and_a_kill_during_firing() {
    let dir = tempfile::tempdir().unwrap();

    // 1. Schedule, then die without any shutdown.
    let (mut scheduler, mut lines) = child(dir.path(), "schedule");
    let said = lines.find_map(|l| l.ok().filter(|l| l.starts_with("SCHEDULED"))).expect("the child scheduled");
    scheduler.kill().unwrap();
    scheduler.wait().unwrap();
    assert_eq!(said, format!("SCHEDULED {TIMERS}"));

    // 2. The clock is past every timer; die while firing them.
    let (mut firer, lines) = child(dir.path(), "fire");
    let mut fired_before_kill = 0;
    for line in lines.map_while(Result::ok) {
        if let Some(n) = line.strip_prefix("FIRED ") {
            fired_before_kill = n.parse::<usize>().unwrap();
            break;
        }
    }
    firer.kill().unwrap();
    firer.wait().unwrap();
    assert!(fired_before_kill > 0, "the second child fired some timers before it was killed");

    // 3. Reopen: what was left fires now, nothing fires twice.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let desk = open(dir.path(), LATER);
        let closed_before = desk.count(&View::All, Some(Status::Closed)).unwrap() as usize;
        assert!(closed_before >= fired_before_kill, "acknowledged firings survive the kill");
        let fired_now = desk.fire_due_timers().await.unwrap();
        eprintln!("fired before the kill: {closed_before} (last reported {fired_before_kill}); after the restart: {fired_now}");
        assert_eq!(closed_before + fired_now, TIMERS, "every timer fired, none twice");
        assert_eq!(desk.count(&View::All, Some(Status::Closed)).unwrap() as usize, TIMERS);
        assert!(desk.next_timer().unwrap().is_none(), "no timer is left");

        let mut closings = 0;
        let mut after = None;
        loop {
            let page = desk.events_after(after, 1000).unwrap();
            let Some(last) = page.last() else { break };
            after = Some(last.id);
            closings += page
                .iter()
                .filter(|e| matches!(e.kind, EventKind::StatusChanged { to: Status::Closed, .. }))
                .count();
        }
        assert_eq!(closings, TIMERS, "one closing event per conversation");
        let mut cursor = None;
        loop {
            let page = desk.conversations(&View::All, None, cursor, 200).unwrap();
            let Some(last) = page.last() else { break };
            cursor = Some(frontdesk_engine::ViewCursor::after(last));
            for c in &page {
                let lines = desk.messages(c.id, 0, 500, false).unwrap();
                let n = lines.iter().filter(|m| m.kind == MessageKind::Activity && m.content == CLOSED_TEXT).count();
                assert_eq!(n, 1, "conversation {} was closed {n} times", c.number);
            }
        }
        assert!(desk.check_indexes().unwrap().is_empty());
    });
}

/// Runs only as a child of the test above.
#[test]
#[ignore = "the child half of ten_thousand_timers_each_fire_once_across_a_kill_before_and_a_kill_during_firing"]
fn timer_child() {
    let (Ok(dir), Ok(phase)) = (std::env::var(CHILD_DIR), std::env::var(CHILD_PHASE)) else { return };
    let dir = Path::new(&dir);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let mut out = std::io::stdout().lock();
        if phase == "schedule" {
            let desk = open(dir, START);
            let admin = desk.setup(common::acme_setup()).await.unwrap().agent;
            let settings = InboxSettings {
                business_hours: None,
                transcript_on_solve: None,
                name: "Chat".into(),
                style: Style::LiveChatReturning,
                close_after_secs: None,
                time_zone: None,
                business_day_starts_at: None,
                routing: None,
            };
            let inbox = desk.create_inbox(&admin, settings).await.unwrap().id;
            // Many writers at once, as a busy desk would have, so commits are grouped.
            let mut tasks = tokio::task::JoinSet::new();
            for w in 0..50 {
                let (desk, admin) = (desk.clone(), admin.clone());
                tasks.spawn(async move {
                    for i in 0..TIMERS / 50 {
                        let who = ContactRef { email: Some(format!("c{w}-{i}@example.test")), ..Default::default() };
                        let c = desk.customer_message(inbox, who, "hello").await.unwrap().conversation.id;
                        desk.change_status(&admin, c, StatusRequest::Solved).await.unwrap();
                    }
                });
            }
            while let Some(done) = tasks.join_next().await {
                done.unwrap();
            }
            writeln!(out, "SCHEDULED {}", desk.count(&View::All, Some(Status::Solved)).unwrap()).unwrap();
            out.flush().unwrap();
            std::thread::sleep(Duration::from_secs(60)); // killed long before this ends
        } else {
            let desk = open(dir, LATER);
            let mut fired = 0;
            while let Some(n) = desk.fire_due_batch(50).await.unwrap() {
                fired += n;
                writeln!(out, "FIRED {fired}").unwrap();
                out.flush().unwrap();
            }
        }
    });
}
