//! Property test of routing on a real store: random arrivals, status changes, availability
//! changes, capacity, skill and team edits, labels and clock advances. After every step, judged
//! from the stored records and the test's own model of the agents (not from the router):
//! - nobody is above capacity through auto-assignment, and nobody away or offline was given one;
//! - no conversation waits while an agent who fits it is online and below capacity;
//! - within a priority, the queue is first in, first out (nobody who fits an earlier waiting
//!   conversation was given a later one);
//! - the router rebuilt from the store (what a restart builds) equals the live one.

mod common;

use frontdesk_domain::conversation::Style;
use frontdesk_domain::inbox::{Conversation, ConversationChanges, InboxSettings, Priority};
use frontdesk_domain::routing::{AgentRouting, Availability, InboxRouting, Requirement, RoutingChanges};
use frontdesk_domain::view::View;
use frontdesk_domain::{Agent, EventKind, Id, Role, Timestamp};
use frontdesk_engine::{ContactRef, Desk, ManualClock, StatusRequest, StoreConfig};
use proptest::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Clone)]
enum Step {
    Arrive { contact: u8, inbox: u8 },
    Status { agent: u8, pick: u8, to: u8 },
    Availability { agent: u8, to: u8 },
    Capacity { agent: u8, capacity: u32 },
    Skills { agent: u8, spanish: bool },
    Teams { agent: u8, billing: bool },
    Label { pick: u8, spanish: bool, vip: bool },
    Advance { minutes: u32 },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        5 => (0u8..12, 0u8..2).prop_map(|(contact, inbox)| Step::Arrive { contact, inbox }),
        4 => (0u8..3, any::<u8>(), 0u8..4).prop_map(|(agent, pick, to)| Step::Status { agent, pick, to }),
        3 => (0u8..3, 0u8..3).prop_map(|(agent, to)| Step::Availability { agent, to }),
        2 => (0u8..3, 0u32..4).prop_map(|(agent, capacity)| Step::Capacity { agent, capacity }),
        1 => (0u8..3, any::<bool>()).prop_map(|(agent, spanish)| Step::Skills { agent, spanish }),
        1 => (0u8..3, any::<bool>()).prop_map(|(agent, billing)| Step::Teams { agent, billing }),
        1 => (any::<u8>(), any::<bool>(), any::<bool>()).prop_map(|(pick, spanish, vip)| Step::Label { pick, spanish, vip }),
        1 => (1u32..3000).prop_map(|minutes| Step::Advance { minutes }),
    ]
}

fn all(desk: &Desk) -> HashMap<Id, Conversation> {
    desk.conversations(&View::All, None, None, 200).unwrap().into_iter().map(|c| (c.id, c)).collect()
}

/// What an agent must have for `c`, from the test's own reading of the inbox settings.
fn need(c: &Conversation, routing: &InboxRouting) -> Requirement {
    routing.requirement(c)
}

fn fits(p: &AgentRouting, need: &Requirement) -> bool {
    need.team.is_none_or(|t| p.teams.contains(&t)) && need.skills.iter().all(|s| p.skills.contains(s))
}

fn run(steps: Vec<Step>) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(Timestamp(1_800_000_000_000)));
    let desk = Desk::open(dir.path(), &StoreConfig::default(), clock.clone(), &mut |_| {}).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let admin = desk.setup(common::acme_setup()).await.unwrap().agent;
        let billing = desk.create_team(&admin, "Billing").await.unwrap().id;
        let mut agents: Vec<Agent> = Vec::new();
        for name in ["ben", "cleo", "dan"] {
            let inv = desk.invite_agent(&admin, name, &format!("{name}@acme.test"), Role::Agent).await.unwrap();
            agents.push(desk.accept_invitation(&inv.token, "a long password".into()).await.unwrap().agent);
        }
        // The test's model of each agent's profile, kept from what it asked for.
        let mut model: HashMap<Id, AgentRouting> =
            agents.iter().map(|a| (a.id, AgentRouting::new(a.created_at))).collect();
        let plain = InboxRouting {
            skill_labels: vec!["spanish".into()],
            priority_rules: vec![frontdesk_domain::routing::PriorityRule {
                label: "vip".into(),
                priority: Priority::High,
            }],
            ..InboxRouting::default()
        };
        let team_inbox = InboxRouting { team: Some(billing), ..plain.clone() };
        let mut inboxes = Vec::new();
        for (name, routing) in [("Website", plain), ("Billing", team_inbox)] {
            let settings = InboxSettings {
                business_hours: None,
                transcript_on_solve: None,
                name: name.into(),
                style: Style::Messaging,
                close_after_secs: Some(3600),
                time_zone: None,
                business_day_starts_at: None,
                routing: Some(routing),
            };
            inboxes.push(desk.create_inbox(&admin, settings).await.unwrap());
        }
        let routing_of = |inbox: Id| inboxes.iter().find(|i| i.id == inbox).map(|i| i.routing.clone()).unwrap();
        let mut events = desk.subscribe();

        for step in steps {
            clock.advance(Duration::from_secs(1));
            let before = all(&desk);
            let ids: Vec<Id> = before.keys().copied().collect::<std::collections::BTreeSet<_>>().into_iter().collect();
            let pick = |p: u8| (!ids.is_empty()).then(|| ids[p as usize % ids.len()]);
            match &step {
                Step::Arrive { contact, inbox } => {
                    let who = ContactRef { email: Some(format!("c{contact}@example.test")), ..Default::default() };
                    desk.customer_message(inboxes[*inbox as usize].id, who, "hello").await.unwrap();
                }
                Step::Status { agent, pick: p, to } => {
                    if let Some(id) = pick(*p) {
                        let request =
                            [StatusRequest::Open, StatusRequest::Pending, StatusRequest::Solved, StatusRequest::OnHold]
                                [*to as usize];
                        // Refusals (closed conversations) are the lifecycle's business, tested elsewhere.
                        let _ = desk.change_status(&agents[*agent as usize], id, request).await;
                    }
                }
                Step::Availability { agent, to } => {
                    let a = &agents[*agent as usize];
                    let to = [Availability::Online, Availability::Away, Availability::Offline][*to as usize];
                    let profile = desk.set_availability(a, a.id, to).await.unwrap();
                    model.get_mut(&a.id).unwrap().availability = profile.availability;
                }
                Step::Capacity { agent, capacity } => {
                    let a = &agents[*agent as usize];
                    let changes = RoutingChanges { capacity: Some(*capacity), ..Default::default() };
                    desk.update_agent_routing(&admin, a.id, changes).await.unwrap();
                    model.get_mut(&a.id).unwrap().capacity = *capacity;
                }
                Step::Skills { agent, spanish } => {
                    let a = &agents[*agent as usize];
                    let skills: Vec<String> = if *spanish { vec!["spanish".into()] } else { vec![] };
                    let changes = RoutingChanges { skills: Some(skills.clone()), ..Default::default() };
                    desk.update_agent_routing(&admin, a.id, changes).await.unwrap();
                    model.get_mut(&a.id).unwrap().skills = skills;
                }
                Step::Teams { agent, billing: member } => {
                    let a = &agents[*agent as usize];
                    let teams = if *member { vec![billing] } else { vec![] };
                    let changes = RoutingChanges { teams: Some(teams.clone()), ..Default::default() };
                    desk.update_agent_routing(&admin, a.id, changes).await.unwrap();
                    model.get_mut(&a.id).unwrap().teams = teams;
                }
                Step::Label { pick: p, spanish, vip } => {
                    if let Some(id) = pick(*p) {
                        let mut labels = Vec::new();
                        if *spanish {
                            labels.push("spanish".to_string());
                        }
                        if *vip {
                            labels.push("vip".to_string());
                        }
                        let changes = ConversationChanges { labels: Some(labels), ..Default::default() };
                        let _ = desk.update_conversation(&admin, id, changes).await;
                    }
                }
                Step::Advance { minutes } => {
                    clock.advance(Duration::from_secs(u64::from(*minutes) * 60));
                    desk.fire_due_timers().await.unwrap();
                }
            }

            let after = all(&desk);
            let load = |agent: Id| {
                after.values().filter(|c| c.assignee == Some(agent) && c.status.consumes_capacity()).count() as u32
            };
            // Assignments routing made in this step (no actor: nobody did it by hand).
            let mut routed = Vec::new();
            while let Ok(e) = events.try_recv() {
                if let (None, EventKind::AssigneeChanged { conversation, to: Some(agent), .. }) = (e.actor, &e.kind) {
                    routed.push((*conversation, *agent));
                }
            }
            let waiting: Vec<&Conversation> = after.values().filter(|c| routing_of(c.inbox).wants(c)).collect();
            for (conversation, agent) in &routed {
                let p = &model[agent];
                prop_assert_eq!(p.availability, Availability::Online, "{:?} went to someone not online", conversation);
                prop_assert!(load(*agent) <= p.capacity, "routing put {:?} above capacity", agent);
                let c = &after[conversation];
                prop_assert!(
                    fits(p, &need(c, &routing_of(c.inbox))),
                    "{:?} lacks what {:?} needs",
                    agent,
                    conversation
                );
                // First in, first out within a priority: nothing earlier that this agent fits
                // is still waiting.
                let placed = before.get(conversation).and_then(|b| b.queued_at).unwrap_or(c.created_at);
                for w in &waiting {
                    let earlier = (std::cmp::Reverse(w.priority), w.queued_at.unwrap_or(w.created_at))
                        < (std::cmp::Reverse(c.priority), placed);
                    prop_assert!(
                        !(earlier && fits(p, &need(w, &routing_of(w.inbox)))),
                        "{:?} was given {:?} while {:?}, ahead of it, waited",
                        agent,
                        conversation,
                        w.id
                    );
                }
            }
            for w in &waiting {
                let need = need(w, &routing_of(w.inbox));
                for (id, p) in &model {
                    let free = p.availability == Availability::Online && load(*id) < p.capacity;
                    prop_assert!(!(free && fits(p, &need)), "{:?} waits while {:?} could take it", w.id, id);
                }
                prop_assert!(w.queued_at.is_some(), "a waiting conversation says since when");
            }
            for c in after.values().filter(|c| !routing_of(c.inbox).wants(c)) {
                prop_assert_eq!(c.queued_at, None, "only waiting conversations carry queued_at");
            }
            prop_assert_eq!(desk.router_snapshot(), desk.router_from_store().unwrap(), "after {:?}", step);
        }
        prop_assert_eq!(desk.check_indexes().unwrap(), Vec::<String>::new());
        Ok(())
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn routing_keeps_its_promises(steps in proptest::collection::vec(step(), 1..50)) {
        run(steps)?;
    }
}
