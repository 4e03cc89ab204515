//! Property test of the whole engine on a real store: random agent actions, customer messages
//! and clock advances, for each style. After every step: statuses moved only along legal edges,
//! closed conversations never changed, solved ones close exactly when their style says, no
//! timer fired twice, and every index agrees with the records.

mod common;

use frontdesk_domain::conversation::{is_legal_edge, Status, Style};
use frontdesk_domain::inbox::{Conversation, ConversationChanges, InboxSettings};
use frontdesk_domain::snooze::SnoozeChoice;
use frontdesk_domain::view::View;
use frontdesk_domain::{Id, Timestamp};
use frontdesk_engine::{ContactRef, Desk, ManualClock, StatusRequest, StoreConfig};
use proptest::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

const START: Timestamp = Timestamp(1_800_007_200_000);

#[derive(Debug, Clone)]
enum Step {
    Customer { contact: u8 },
    Reply { pick: u8, private: bool },
    Status { pick: u8, to: Target },
    Label { pick: u8, labels: Vec<&'static str> },
    Advance { minutes: u32 },
}

#[derive(Debug, Clone, Copy)]
enum Target {
    Open,
    Pending,
    OnHold,
    Solved,
    SnoozeNextReply,
    SnoozeTomorrow,
    SnoozeHours(u8),
}

fn step() -> impl Strategy<Value = Step> {
    let target = prop_oneof![
        Just(Target::Open),
        Just(Target::Pending),
        Just(Target::OnHold),
        Just(Target::Solved),
        Just(Target::SnoozeNextReply),
        Just(Target::SnoozeTomorrow),
        (1u8..100).prop_map(Target::SnoozeHours),
    ];
    prop_oneof![
        3 => (0u8..4).prop_map(|contact| Step::Customer { contact }),
        2 => (any::<u8>(), any::<bool>()).prop_map(|(pick, private)| Step::Reply { pick, private }),
        4 => (any::<u8>(), target).prop_map(|(pick, to)| Step::Status { pick, to }),
        1 => (any::<u8>(), proptest::sample::subsequence(vec!["billing", "vip", "bug"], 0..=3))
            .prop_map(|(pick, labels)| Step::Label { pick, labels }),
        // Up to ~5 days: crosses every close window and snooze.
        3 => (1u32..7200).prop_map(|minutes| Step::Advance { minutes }),
    ]
}

fn style() -> impl Strategy<Value = (Style, Option<u64>)> {
    prop_oneof![
        Just((Style::LiveChat, None)),
        Just((Style::LiveChatReturning, None)),
        Just((Style::LiveChatReturning, Some(4 * 3600))),
        Just((Style::Messaging, None)),
        Just((Style::Messaging, Some(3600))),
    ]
}

fn all(desk: &Desk) -> HashMap<Id, Conversation> {
    desk.conversations(&View::All, None, None, 200).unwrap().into_iter().map(|c| (c.id, c)).collect()
}

/// "Any status" is the per-status lists merged: paging it two at a time gives every
/// conversation of every status once, newest activity first, as many as its counter says.
fn any_status_pages_agree(desk: &Desk) -> Result<(), TestCaseError> {
    let mut paged: Vec<Conversation> = Vec::new();
    loop {
        let cursor = paged.last().map(frontdesk_engine::ViewCursor::after);
        let page = desk.conversations(&View::All, None, cursor, 2).unwrap();
        let done = page.len() < 2;
        paged.extend(page);
        if done {
            break;
        }
    }
    let order = |c: &Conversation| (std::cmp::Reverse(c.last_activity_at), std::cmp::Reverse(c.id));
    prop_assert!(paged.windows(2).all(|w| order(&w[0]) < order(&w[1])), "newest first, none twice");
    let mut by_status: Vec<Id> = Status::ALL
        .iter()
        .flat_map(|s| desk.conversations(&View::All, Some(*s), None, 200).unwrap())
        .map(|c| c.id)
        .collect();
    let mut ids: Vec<Id> = paged.iter().map(|c| c.id).collect();
    by_status.sort();
    ids.sort();
    prop_assert_eq!(ids, by_status);
    prop_assert_eq!(paged.len() as u64, desk.count(&View::All, None).unwrap());
    Ok(())
}

fn run(style: Style, close_after: Option<u64>, steps: Vec<Step>) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(START));
    let desk = Desk::open(dir.path(), &StoreConfig::default(), clock.clone(), &mut |_| {}).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let admin = desk.setup(common::acme_setup()).await.unwrap().agent;
        let settings = InboxSettings {
            business_hours: None,
            transcript_on_solve: None,
            name: "Inbox".into(),
            style,
            close_after_secs: close_after,
            time_zone: Some("America/New_York".into()),
            business_day_starts_at: Some("08:30".into()),
            routing: None,
        };
        let inbox = desk.create_inbox(&admin, settings).await.unwrap();
        let window = inbox.close_after_secs as i64 * 1000;
        // When each conversation was last solved: its close must be exactly one window later.
        let mut solved_at: HashMap<Id, Timestamp> = HashMap::new();

        for step in steps {
            let before = all(&desk);
            let ids: Vec<Id> = before.keys().copied().collect::<std::collections::BTreeSet<_>>().into_iter().collect();
            let pick = |p: u8| (!ids.is_empty()).then(|| ids[p as usize % ids.len()]);
            let mut fired = None;
            match &step {
                Step::Customer { contact } => {
                    let who = ContactRef { email: Some(format!("c{contact}@example.test")), ..Default::default() };
                    desk.customer_message(inbox.id, who, "hello").await.unwrap();
                }
                Step::Reply { pick: p, private } => {
                    if let Some(id) = pick(*p) {
                        let r = desk.agent_message(&admin, id, "on it", *private).await;
                        prop_assert_eq!(
                            r.is_err(),
                            before[&id].status == Status::Closed,
                            "only closed refuses: {:?}",
                            r
                        );
                    }
                }
                Step::Status { pick: p, to } => {
                    if let Some(id) = pick(*p) {
                        let request = match to {
                            Target::Open => StatusRequest::Open,
                            Target::Pending => StatusRequest::Pending,
                            Target::OnHold => StatusRequest::OnHold,
                            Target::Solved => StatusRequest::Solved,
                            Target::SnoozeNextReply => StatusRequest::Snoozed { snooze: SnoozeChoice::NextReply },
                            Target::SnoozeTomorrow => StatusRequest::Snoozed { snooze: SnoozeChoice::Tomorrow },
                            Target::SnoozeHours(h) => StatusRequest::Snoozed {
                                snooze: SnoozeChoice::Time { at: Timestamp(desk.now().0 + i64::from(*h) * 3_600_000) },
                            },
                        };
                        let r = desk.change_status(&admin, id, request).await;
                        if before[&id].status == Status::Closed {
                            prop_assert!(r.is_err(), "a closed conversation refused {:?}", to);
                        }
                    }
                }
                Step::Label { pick: p, labels } => {
                    if let Some(id) = pick(*p) {
                        let changes = ConversationChanges {
                            labels: Some(labels.iter().map(|l| l.to_string()).collect()),
                            ..Default::default()
                        };
                        let r = desk.update_conversation(&admin, id, changes).await;
                        prop_assert_eq!(r.is_err(), before[&id].status == Status::Closed);
                    }
                }
                Step::Advance { minutes } => {
                    clock.advance(Duration::from_secs(u64::from(*minutes) * 60));
                    fired = Some(desk.fire_due_timers().await.unwrap());
                }
            }

            let now = desk.now();
            let after = all(&desk);
            let mut timer_moves = 0;
            for (id, c) in &after {
                let Some(b) = before.get(id) else {
                    prop_assert_eq!(c.status, Status::New, "a conversation starts new");
                    continue;
                };
                if b.status == Status::Closed {
                    prop_assert_eq!(b, c, "a closed conversation never changes");
                    continue;
                }
                if b.status != c.status {
                    prop_assert!(is_legal_edge(b.status, c.status), "{:?} -> {:?} by {:?}", b.status, c.status, step);
                }
                if c.status == Status::Solved && b.status != Status::Solved {
                    solved_at.insert(*id, now);
                }
                if c.status == Status::Solved {
                    prop_assert!(style != Style::LiveChat, "live chat closes at once when solved");
                    prop_assert_eq!(c.closes_at, Some(Timestamp(solved_at[id].0 + window)));
                    prop_assert!(c.closes_at.is_some_and(|t| t > now), "a due close did not fire");
                }
                if c.status == Status::Snoozed {
                    prop_assert!(c.wakes_at.is_none_or(|t| t > now), "a due wake-up did not fire");
                }
                if let Step::Advance { .. } = step {
                    match (b.status, c.status) {
                        (Status::Solved, Status::Closed) => {
                            prop_assert!(b.closes_at.is_some_and(|t| t <= now));
                            timer_moves += 1;
                        }
                        (Status::Snoozed, Status::Open) => {
                            prop_assert!(b.wakes_at.is_some_and(|t| t <= now));
                            timer_moves += 1;
                        }
                        (x, y) => prop_assert_eq!(x, y, "only timers move anything while time passes"),
                    }
                }
            }
            if let Some(fired) = fired {
                prop_assert_eq!(fired, timer_moves, "each fired timer moved exactly one conversation once");
            }
            let problems = desk.check_indexes().unwrap();
            prop_assert!(problems.is_empty(), "after {:?}: {:?}", step, problems);
            any_status_pages_agree(&desk)?;
        }
        Ok(())
    })
}

proptest! {
    // Each case opens a real store and flushes every step: few cases, long histories.
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn random_histories_keep_the_lifecycle_and_the_indexes_right(
        (style, close_after) in style(),
        steps in proptest::collection::vec(step(), 1..40),
    ) {
        run(style, close_after, steps)?;
    }
}
