//! Routing on a real store: who gets a new conversation, the queue when nobody can take one,
//! capacity freed and taken again, agents going offline, skills and teams, manual control,
//! and the router rebuilt from the store after a restart.

mod common;

use frontdesk_domain::conversation::{Status, Style};
use frontdesk_domain::inbox::{ConversationChanges, InboxSettings, MessageKind, Priority};
use frontdesk_domain::routing::{Availability, InboxRouting, RoutingChanges, WaitReason};
use frontdesk_domain::{Agent, EventKind, Id, Role, Timestamp};
use frontdesk_engine::{ContactRef, Desk, ManualClock, StatusRequest, StoreConfig};
use std::sync::Arc;
use std::time::Duration;

struct Fixture {
    _dir: tempfile::TempDir,
    dir: std::path::PathBuf,
    clock: Arc<ManualClock>,
    desk: Desk,
    admin: Agent,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(Timestamp(1_800_000_000_000)));
    let desk = Desk::open(dir.path(), &StoreConfig::default(), clock.clone(), &mut |_| {}).unwrap();
    let admin = desk.setup(common::acme_setup()).await.unwrap().agent;
    Fixture { dir: dir.path().to_path_buf(), _dir: dir, clock, desk, admin }
}

impl Fixture {
    async fn agent(&self, name: &str) -> Agent {
        let inv = self.desk.invite_agent(&self.admin, name, &format!("{name}@acme.test"), Role::Agent).await.unwrap();
        let agent = self.desk.accept_invitation(&inv.token, "a long password".into()).await.unwrap().agent;
        self.desk.set_availability(&agent, agent.id, Availability::Online).await.unwrap();
        agent
    }

    async fn set_capacity(&self, agent: &Agent, capacity: u32) {
        let changes = RoutingChanges { capacity: Some(capacity), ..Default::default() };
        self.desk.update_agent_routing(&self.admin, agent.id, changes).await.unwrap();
    }

    async fn inbox(&self, routing: InboxRouting) -> Id {
        let settings = InboxSettings {
            business_hours: None,
            transcript_on_solve: None,
            name: "Website".into(),
            style: Style::Messaging,
            close_after_secs: None,
            time_zone: None,
            business_day_starts_at: None,
            routing: Some(routing),
        };
        self.desk.create_inbox(&self.admin, settings).await.unwrap().id
    }

    async fn customer(&self, inbox: Id, who: &str) -> Id {
        self.clock.advance(Duration::from_secs(1));
        let contact = ContactRef { email: Some(format!("{who}@example.test")), ..Default::default() };
        self.desk.customer_message(inbox, contact, "hello").await.unwrap().conversation.id
    }

    fn assignee(&self, c: Id) -> Option<Id> {
        self.desk.conversation(c).unwrap().assignee
    }

    fn assert_router_matches_store(&self) {
        assert_eq!(self.desk.router_snapshot(), self.desk.router_from_store().unwrap(), "rebuilt router differs");
    }
}

#[tokio::test]
async fn the_least_loaded_agent_gets_each_new_conversation_and_the_rest_wait_in_order() {
    let f = fixture().await;
    let ben = f.agent("ben").await;
    let cleo = f.agent("cleo").await;
    for agent in [&ben, &cleo] {
        f.set_capacity(agent, 2).await;
    }
    let inbox = f.inbox(InboxRouting::default()).await;
    let mut ids = Vec::new();
    for who in ["c1", "c2", "c3", "c4", "c5", "c6"] {
        ids.push(f.customer(inbox, who).await);
    }
    // Ben went online first, so he has been idle longer: he gets the first, Cleo the second.
    assert_eq!(f.assignee(ids[0]), Some(ben.id));
    assert_eq!(f.assignee(ids[1]), Some(cleo.id));
    assert_eq!(f.assignee(ids[2]), Some(ben.id));
    assert_eq!(f.assignee(ids[3]), Some(cleo.id));
    assert_eq!((f.assignee(ids[4]), f.assignee(ids[5])), (None, None), "both are at capacity");
    let overview = f.desk.routing_overview(10).unwrap();
    assert_eq!(overview.waiting, 2);
    assert_eq!(overview.queue.iter().map(|w| w.conversation).collect::<Vec<_>>(), vec![ids[4], ids[5]]);
    assert!(overview.queue.iter().all(|w| w.reason == WaitReason::AllAtCapacity));
    let ben_load = overview.agents.iter().find(|a| a.agent == ben.id).unwrap();
    assert_eq!((ben_load.load, ben_load.capacity), (2, 2));

    // Ben sets one pending: his capacity frees and the oldest waiting conversation is his.
    f.desk.change_status(&ben, ids[0], StatusRequest::Pending).await.unwrap();
    assert_eq!(f.assignee(ids[4]), Some(ben.id));
    assert_eq!(f.assignee(ids[5]), None);
    let lines = f.desk.messages(ids[4], 0, 50, false).unwrap();
    assert!(lines
        .iter()
        .any(|m| m.kind == MessageKind::Activity && m.content == "Routing assigned the conversation to ben"));

    // The customer of the pending one writes again: it is Ben's again and takes capacity.
    f.customer(inbox, "c1").await;
    let c = f.desk.conversation(ids[0]).unwrap();
    assert_eq!((c.status, c.assignee), (Status::Open, Some(ben.id)));
    assert_eq!(f.desk.routing_overview(10).unwrap().agents.iter().find(|a| a.agent == ben.id).unwrap().load, 3);
    f.assert_router_matches_store();
}

#[tokio::test]
async fn urgent_conversations_jump_the_queue_and_raising_capacity_assigns_at_once() {
    let f = fixture().await;
    let ben = f.agent("ben").await;
    f.set_capacity(&ben, 0).await;
    let routing = InboxRouting {
        priority_rules: vec![frontdesk_domain::routing::PriorityRule {
            label: "vip".into(),
            priority: Priority::Urgent,
        }],
        ..InboxRouting::default()
    };
    let inbox = f.inbox(routing).await;
    let first = f.customer(inbox, "first").await;
    let vip = f.customer(inbox, "vip").await;
    let changes = ConversationChanges { labels: Some(vec!["vip".into()]), ..Default::default() };
    let labelled = f.desk.update_conversation(&f.admin, vip, changes).await.unwrap();
    assert_eq!(labelled.priority, Priority::Urgent, "the label rule raised it");
    let queue = f.desk.routing_overview(10).unwrap().queue;
    assert_eq!(queue.iter().map(|w| w.conversation).collect::<Vec<_>>(), vec![vip, first]);

    f.set_capacity(&ben, 1).await;
    assert_eq!((f.assignee(vip), f.assignee(first)), (Some(ben.id), None));
    f.assert_router_matches_store();
}

#[tokio::test]
async fn going_offline_returns_new_conversations_keeps_open_ones_and_tells_admins() {
    let f = fixture().await;
    let ben = f.agent("ben").await;
    let inbox = f.inbox(InboxRouting::default()).await;
    let accepted = f.customer(inbox, "c1").await;
    let untouched = f.customer(inbox, "c2").await;
    assert_eq!((f.assignee(accepted), f.assignee(untouched)), (Some(ben.id), Some(ben.id)));
    f.desk.agent_message(&ben, accepted, "hi, I'm Ben", false).await.unwrap();
    let mut events = f.desk.subscribe();

    f.desk.set_availability(&ben, ben.id, Availability::Offline).await.unwrap();
    assert_eq!(f.assignee(untouched), None, "the new one went back to the queue");
    assert_eq!(f.assignee(accepted), Some(ben.id), "the open one stays his");
    let mut alerted = None;
    while let Ok(e) = events.try_recv() {
        if let EventKind::OpenConversationsLeft { agent, conversations } = e.kind {
            alerted = Some((agent, conversations));
        }
    }
    assert_eq!(alerted, Some((ben.id, vec![accepted])));
    let queue = f.desk.routing_overview(10).unwrap().queue;
    assert_eq!((queue.len(), queue[0].reason), (1, WaitReason::NoOneOnline));

    // Away is not offline: nothing comes back, and nothing new is given.
    f.desk.set_availability(&ben, ben.id, Availability::Online).await.unwrap();
    assert_eq!(f.assignee(untouched), Some(ben.id), "online again, he takes the waiting one");
    f.desk.set_availability(&ben, ben.id, Availability::Away).await.unwrap();
    let third = f.customer(inbox, "c3").await;
    assert_eq!(f.assignee(third), None);
    assert_eq!(f.assignee(untouched), Some(ben.id));
    f.assert_router_matches_store();
}

#[tokio::test]
async fn skills_and_teams_decide_who_may_take_a_conversation() {
    let f = fixture().await;
    let ben = f.agent("ben").await;
    let cleo = f.agent("cleo").await;
    let billing = f.desk.create_team(&f.admin, "Billing").await.unwrap();
    let routing = InboxRouting { skill_labels: vec!["spanish".into()], ..InboxRouting::default() };
    let inbox = f.inbox(routing).await;
    // Take both agents' capacity out of play except for what the test gives.
    for a in [&ben, &cleo] {
        f.desk.set_availability(a, a.id, Availability::Away).await.unwrap();
    }
    let spanish = f.customer(inbox, "maria").await;
    let changes = ConversationChanges { labels: Some(vec!["spanish".into()]), ..Default::default() };
    f.desk.update_conversation(&f.admin, spanish, changes).await.unwrap();
    f.desk.set_availability(&ben, ben.id, Availability::Online).await.unwrap();
    assert_eq!(f.assignee(spanish), None, "Ben does not speak Spanish");
    assert_eq!(f.desk.routing_overview(10).unwrap().queue[0].reason, WaitReason::MissingSkill);
    let speaks = RoutingChanges { skills: Some(vec!["Spanish".into()]), ..Default::default() };
    f.desk.update_agent_routing(&f.admin, cleo.id, speaks).await.unwrap();
    assert_eq!(f.desk.routing_overview(10).unwrap().queue[0].reason, WaitReason::NoOneOnline);
    f.desk.set_availability(&cleo, cleo.id, Availability::Online).await.unwrap();
    assert_eq!(f.assignee(spanish), Some(cleo.id));

    // A transfer to Billing leaves Cleo; nobody is in Billing yet, then Ben joins it.
    let moved = f.desk.transfer(&ben, spanish, billing.id).await.unwrap();
    assert_eq!((moved.assignee, moved.team), (None, Some(billing.id)));
    assert_eq!(f.desk.routing_overview(10).unwrap().queue[0].reason, WaitReason::NoAgentInTeam);
    let join =
        RoutingChanges { teams: Some(vec![billing.id]), skills: Some(vec!["spanish".into()]), ..Default::default() };
    f.desk.update_agent_routing(&f.admin, ben.id, join).await.unwrap();
    assert_eq!(f.assignee(spanish), Some(ben.id), "joining the team freed the queue at once");
    f.assert_router_matches_store();
}

#[tokio::test]
async fn manual_assignment_ignores_capacity_and_leaves_a_line_and_closed_ones_refuse() {
    let f = fixture().await;
    let ben = f.agent("ben").await;
    f.set_capacity(&ben, 0).await;
    let manual = InboxRouting { auto_assign: false, ..InboxRouting::default() };
    let inbox = f.inbox(manual).await;
    let c = f.customer(inbox, "c1").await;
    assert_eq!(f.assignee(c), None);
    assert!(!f.desk.routing_overview(10).unwrap().queue.iter().any(|w| w.conversation == c), "not auto-assigned");
    let assigned = f.desk.assign(&f.admin, c, Some(ben.id)).await.unwrap();
    assert_eq!(assigned.assignee, Some(ben.id), "manual assignment works above capacity");
    let last = f.desk.messages(c, 0, 50, false).unwrap().pop().unwrap();
    assert_eq!(last.content, "Ana assigned the conversation to ben");
    assert_eq!(f.desk.assign(&f.admin, c, None).await.unwrap().assignee, None);
    f.desk.change_status(&f.admin, c, StatusRequest::Solved).await.unwrap();
    // Messaging: solved is not closed yet; move past the window.
    f.clock.advance(Duration::from_secs(5 * 24 * 3600));
    f.desk.fire_due_timers().await.unwrap();
    assert!(f.desk.assign(&f.admin, c, Some(ben.id)).await.is_err(), "closed is final");
    f.assert_router_matches_store();
}

#[tokio::test]
async fn the_router_is_the_same_after_a_restart() {
    let f = fixture().await;
    let ben = f.agent("ben").await;
    let inbox = f.inbox(InboxRouting::default()).await;
    for who in ["c1", "c2", "c3", "c4", "c5"] {
        f.customer(inbox, who).await;
    }
    let before = f.desk.router_snapshot();
    assert_eq!(before.load(ben.id), 3);
    let Fixture { desk, _dir, dir, .. } = f;
    drop(desk);
    let reopened =
        Desk::open(&dir, &StoreConfig::default(), Arc::new(ManualClock::new(Timestamp(0))), &mut |_| {}).unwrap();
    assert_eq!(reopened.router_snapshot(), before);
    assert_eq!(reopened.routing_overview(10).unwrap().waiting, 2);
}
