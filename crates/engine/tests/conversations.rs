//! The ticket lifecycle through the engine, on a real store and a manual clock.

mod common;

use frontdesk_domain::activity::Activity;
use frontdesk_domain::conversation::{Status, Style};
use frontdesk_domain::inbox::{InboxSettings, MessageKind};
use frontdesk_domain::snooze::SnoozeChoice;
use frontdesk_domain::view::View;
use frontdesk_domain::{Agent, Id, Role, Timestamp};
use frontdesk_engine::{ContactRef, Desk, EngineError, ManualClock, StatusRequest, StoreConfig};
use std::sync::Arc;
use std::time::Duration;

const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(24 * 3600);

struct Fixture {
    desk: Desk,
    clock: Arc<ManualClock>,
    admin: Agent,
    _dir: tempfile::TempDir,
}

/// 2027-01-15 10:00 UTC, a Friday.
const START: Timestamp = Timestamp(1_800_007_200_000);

/// A set-up desk on a fresh store, on `clock`, with its admin.
async fn desk_on(clock: Arc<dyn frontdesk_domain::Clock>) -> (Desk, Agent, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk::open(dir.path(), &StoreConfig::default(), clock, &mut |_| {}).unwrap();
    let admin = desk.setup(common::acme_setup()).await.unwrap().agent;
    (desk, admin, dir)
}

async fn fixture() -> Fixture {
    let clock = Arc::new(ManualClock::new(START));
    let (desk, admin, dir) = desk_on(clock.clone()).await;
    Fixture { desk, clock, admin, _dir: dir }
}

impl Fixture {
    async fn inbox(&self, style: Style, close_after_secs: Option<u64>) -> Id {
        let settings = InboxSettings {
            business_hours: None,
            transcript_on_solve: None,
            name: format!("{style:?}"),
            style,
            close_after_secs,
            time_zone: Some("Europe/Rome".into()),
            business_day_starts_at: Some("09:00".into()),
            routing: None,
        };
        self.desk.create_inbox(&self.admin, settings).await.unwrap().id
    }

    async fn customer(&self, inbox: Id, email: &str, text: &str) -> frontdesk_engine::Posted {
        let who = ContactRef { email: Some(email.into()), ..Default::default() };
        self.desk.customer_message(inbox, who, text).await.unwrap()
    }

    async fn set(&self, conversation: Id, request: StatusRequest) -> Result<Status, EngineError> {
        self.desk.change_status(&self.admin, conversation, request).await.map(|c| c.status)
    }

    async fn advance(&self, by: Duration) -> usize {
        self.clock.advance(by);
        self.desk.fire_due_timers().await.unwrap()
    }

    fn status(&self, conversation: Id) -> Status {
        self.desk.conversation(conversation).unwrap().status
    }

    fn indexes_agree(&self) {
        let problems = self.desk.check_indexes().unwrap();
        assert!(problems.is_empty(), "indexes disagree with records: {problems:?}");
    }
}

#[tokio::test]
async fn a_customer_message_starts_a_new_numbered_conversation_and_the_contact_is_never_duplicated() {
    let f = fixture().await;
    let inbox = f.inbox(Style::Messaging, None).await;
    let first = f.customer(inbox, "Carla@Example.com", "Where is my order?").await;
    assert_eq!((first.conversation.number, first.conversation.status), (1, Status::New));
    assert_eq!((first.message.seq, first.message.kind), (1, MessageKind::Incoming));
    let again = f.customer(inbox, "carla@example.com", "Hello?").await;
    assert_eq!(again.conversation.id, first.conversation.id, "the same open conversation continues");
    assert_eq!(again.message.seq, 2);
    assert_eq!(again.conversation.contact, first.conversation.contact, "found by email, not duplicated");
    let by_identifier = ContactRef {
        identifier: Some("user-42".into()),
        email: Some("carla@example.com".into()),
        ..Default::default()
    };
    let third = f.desk.customer_message(inbox, by_identifier, "It's me").await.unwrap();
    assert_eq!(third.conversation.contact, first.conversation.contact);
    assert_eq!(
        f.desk.contact(first.conversation.contact).unwrap().identifier.as_deref(),
        Some("user-42"),
        "learned the identifier"
    );
    let nobody = f.desk.customer_message(inbox, ContactRef::default(), "hi").await.unwrap_err();
    assert!(nobody.to_string().contains("email or identifier"), "{nobody}");
}

#[tokio::test]
async fn opening_assigns_the_opener_and_a_customer_reply_reopens_with_the_same_assignee() {
    let f = fixture().await;
    let inbox = f.inbox(Style::Messaging, None).await;
    let c = f.customer(inbox, "carla@example.com", "hi").await.conversation.id;
    assert_eq!(f.set(c, StatusRequest::Open).await.unwrap(), Status::Open);
    assert_eq!(f.desk.conversation(c).unwrap().assignee, Some(f.admin.id), "the opener takes it");
    for request in [
        StatusRequest::Pending,
        StatusRequest::OnHold,
        StatusRequest::Snoozed { snooze: SnoozeChoice::NextReply },
        StatusRequest::Solved,
    ] {
        f.set(c, request).await.unwrap();
        f.customer(inbox, "carla@example.com", "any news?").await;
        let now = f.desk.conversation(c).unwrap();
        assert_eq!((now.status, now.assignee), (Status::Open, Some(f.admin.id)), "after {request:?}");
    }
    let history = f.desk.messages(c, 0, 100, false).unwrap();
    let opened = history.iter().find(|m| m.kind == MessageKind::Activity && m.content == "Ana opened the conversation");
    // Kept as data too, so each agent's app can say it in their language.
    assert_eq!(
        opened.and_then(|m| m.activity.clone()),
        Some(Activity::Status { by: "Ana".into(), status: Status::Open, until_reply: false })
    );
    assert!(
        history.iter().filter(|m| m.kind == MessageKind::Activity).all(|m| m.activity.is_some()),
        "every activity line says what happened as data"
    );
    let public = f.desk.messages(c, 0, 100, true).unwrap();
    assert!(public.iter().all(|m| m.kind.is_public()), "customers never see activity or notes");
    f.indexes_agree();
}

#[tokio::test]
async fn live_chat_closes_at_once_and_the_next_message_starts_a_linked_conversation() {
    let f = fixture().await;
    let inbox = f.inbox(Style::LiveChat, None).await;
    let first = f.customer(inbox, "carla@example.com", "hi").await.conversation.id;
    assert_eq!(f.set(first, StatusRequest::Solved).await.unwrap(), Status::Closed);
    let err = f.set(first, StatusRequest::Open).await.unwrap_err();
    assert_eq!(err.to_string(), "this conversation is closed and cannot be opened: closed conversations are final; the customer's next message starts a new one");
    let second = f.customer(inbox, "carla@example.com", "one more thing").await.conversation;
    assert_ne!(second.id, first);
    assert_eq!((second.previous, second.number, second.status), (Some(first), 2, Status::New));
    let history: Vec<Id> = f.desk.contact_conversations(second.contact).unwrap().iter().map(|c| c.id).collect();
    assert_eq!(history, vec![second.id, first], "previous conversations, newest first");
    assert!(matches!(f.desk.agent_message(&f.admin, first, "late reply", false).await, Err(EngineError::Lifecycle(_))));
}

#[tokio::test]
async fn returning_customers_reopen_within_the_window_and_close_after_it() {
    let f = fixture().await;
    let inbox = f.inbox(Style::LiveChatReturning, None).await;
    let c = f.customer(inbox, "carla@example.com", "hi").await.conversation.id;
    f.set(c, StatusRequest::Solved).await.unwrap();
    assert_eq!(f.advance(59 * 60 * Duration::from_secs(1)).await, 0);
    f.customer(inbox, "carla@example.com", "actually...").await;
    assert_eq!(f.status(c), Status::Open, "within the hour the same conversation reopens");
    f.set(c, StatusRequest::Solved).await.unwrap();
    assert_eq!(f.advance(HOUR).await, 1, "the close timer fires once, on time");
    assert_eq!(f.status(c), Status::Closed);
    assert_eq!(f.advance(DAY).await, 0, "and never again");
    f.indexes_agree();
}

#[tokio::test]
async fn messaging_closes_after_its_configured_window() {
    let f = fixture().await;
    let default = f.inbox(Style::Messaging, None).await;
    let week = f.inbox(Style::Messaging, Some(7 * 24 * 3600)).await;
    let a = f.customer(default, "a@example.com", "hi").await.conversation.id;
    let b = f.customer(week, "b@example.com", "hi").await.conversation.id;
    f.set(a, StatusRequest::Solved).await.unwrap();
    f.set(b, StatusRequest::Solved).await.unwrap();
    f.advance(4 * DAY - Duration::from_secs(1)).await;
    assert_eq!((f.status(a), f.status(b)), (Status::Solved, Status::Solved));
    f.advance(Duration::from_secs(1)).await;
    assert_eq!((f.status(a), f.status(b)), (Status::Closed, Status::Solved), "4 days by default");
    f.advance(3 * DAY).await;
    assert_eq!(f.status(b), Status::Closed, "7 days where configured");
}

#[tokio::test]
async fn snoozes_wake_when_asked_in_the_inbox_time_zone() {
    let f = fixture().await;
    let inbox = f.inbox(Style::Messaging, None).await;
    let c = f.customer(inbox, "carla@example.com", "hi").await.conversation.id;
    f.set(c, StatusRequest::Snoozed { snooze: SnoozeChoice::Tomorrow }).await.unwrap();
    let wakes = f.desk.conversation(c).unwrap().wakes_at.unwrap();
    // Friday 11:00 in Rome → Saturday 09:00 in Rome (08:00 UTC).
    assert_eq!(wakes.0 - START.0, 22 * 3_600_000);
    assert_eq!(f.advance(22 * HOUR - Duration::from_secs(1)).await, 0);
    assert_eq!(f.advance(Duration::from_secs(1)).await, 1);
    assert_eq!(f.status(c), Status::Open);

    let at = Timestamp(f.desk.now().0 + 90_000);
    f.set(c, StatusRequest::Snoozed { snooze: SnoozeChoice::Time { at } }).await.unwrap();
    f.advance(Duration::from_secs(90)).await;
    assert_eq!(f.status(c), Status::Open);
    let past = f.set(c, StatusRequest::Snoozed { snooze: SnoozeChoice::Time { at } }).await.unwrap_err();
    assert!(matches!(past, EngineError::Lifecycle(_)), "{past}");
}

#[tokio::test]
async fn views_list_newest_activity_first_page_by_cursor_and_count_without_scanning() {
    let f = fixture().await;
    let inbox = f.inbox(Style::Messaging, None).await;
    let mut ids = Vec::new();
    for i in 0..7 {
        f.clock.advance(Duration::from_secs(1));
        ids.push(f.customer(inbox, &format!("c{i}@example.com"), "hi").await.conversation.id);
    }
    f.clock.advance(Duration::from_secs(1));
    f.set(ids[0], StatusRequest::Open).await.unwrap();
    f.clock.advance(Duration::from_secs(1));
    f.set(ids[1], StatusRequest::Pending).await.unwrap();
    assert_eq!(f.desk.count(&View::All, None).unwrap(), 7);
    assert_eq!(f.desk.count(&View::All, Some(Status::New)).unwrap(), 5);
    assert_eq!(f.desk.count(&View::Assignee(f.admin.id), None).unwrap(), 1, "opening takes a conversation");
    assert_eq!(f.desk.count(&View::Unassigned, None).unwrap(), 6, "setting it pending does not");
    assert_eq!(f.desk.count(&View::Unassigned, Some(Status::Pending)).unwrap(), 1);

    let top = f.desk.conversations(&View::Inbox(inbox), None, None, 1).unwrap();
    assert_eq!(top[0].id, ids[6], "status changes do not reorder the list");
    f.clock.advance(Duration::from_secs(1));
    f.desk.agent_message(&f.admin, ids[1], "Any news?", false).await.unwrap();
    let page1 = f.desk.conversations(&View::Inbox(inbox), None, None, 3).unwrap();
    assert_eq!(page1[0].id, ids[1], "the last written to comes first");
    let last = page1.last().unwrap();
    let cursor = frontdesk_engine::ViewCursor::after(last);
    let page2 = f.desk.conversations(&View::Inbox(inbox), None, Some(cursor), 10).unwrap();
    assert_eq!(page1.len() + page2.len(), 7);
    assert!(page2.iter().all(|c| !page1.iter().any(|p| p.id == c.id)), "no conversation on two pages");
    f.indexes_agree();
}

#[tokio::test]
async fn an_invited_agent_opening_takes_the_conversation() {
    let f = fixture().await;
    let inbox = f.inbox(Style::Messaging, None).await;
    let inv = f.desk.invite_agent(&f.admin, "Bob", "bob@acme.test", Role::Agent).await.unwrap();
    let bob = f.desk.accept_invitation(&inv.token, "bobs password".into()).await.unwrap().agent;
    let c = f.customer(inbox, "carla@example.com", "hi").await.conversation.id;
    let posted = f.desk.agent_message(&bob, c, "Hello, Bob here", false).await.unwrap();
    assert_eq!(
        (posted.conversation.status, posted.conversation.assignee),
        (Status::Open, Some(bob.id)),
        "replying accepts it"
    );
    let note = f.desk.agent_message(&f.admin, c, "VIP customer", true).await.unwrap();
    assert_eq!(note.message.kind, MessageKind::PrivateNote);
    assert_eq!(note.conversation.assignee, Some(bob.id), "a note does not take the conversation");
}

#[tokio::test]
async fn the_scheduler_wakes_a_snoozed_conversation_on_the_real_clock() {
    let (desk, admin, _dir) = desk_on(Arc::new(frontdesk_engine::SystemClock)).await;
    let settings = InboxSettings {
        business_hours: None,
        transcript_on_solve: None,
        name: "Web".into(),
        style: Style::Messaging,
        close_after_secs: None,
        time_zone: None,
        business_day_starts_at: None,
        routing: None,
    };
    let inbox = desk.create_inbox(&admin, settings).await.unwrap().id;
    let c = desk
        .customer_message(inbox, ContactRef { email: Some("c@example.com".into()), ..Default::default() }, "hi")
        .await
        .unwrap();
    let scheduler = tokio::spawn(desk.clone().run_scheduler());
    let at = Timestamp(desk.now().0 + 300);
    desk.change_status(&admin, c.conversation.id, StatusRequest::Snoozed { snooze: SnoozeChoice::Time { at } })
        .await
        .unwrap();
    // Generous bound: this checks that it wakes without anyone asking, not how fast.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while desk.conversation(c.conversation.id).unwrap().status != Status::Open {
        assert!(std::time::Instant::now() < deadline, "the snooze never woke");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(desk.now() >= at, "and not before its time");
    scheduler.abort();
}

#[tokio::test]
async fn labels_priority_and_team_move_the_conversation_between_views_and_leave_activity() {
    use frontdesk_domain::inbox::{ConversationChanges, Priority};
    let f = fixture().await;
    let inbox = f.inbox(Style::Messaging, None).await;
    let c = f.customer(inbox, "joe@example.test", "my card was charged twice").await.conversation.id;
    let team = f.desk.create_team(&f.admin, " Billing ").await.unwrap();
    assert_eq!(f.desk.teams().unwrap()[0].name, "Billing");

    let changes = ConversationChanges {
        labels: Some(vec!["Refund".into(), "vip".into()]),
        priority: Some(Priority::High),
        team: Some(Some(team.id)),
        muted: None,
    };
    let updated = f.desk.update_conversation(&f.admin, c, changes).await.unwrap();
    assert_eq!(updated.labels, vec!["refund".to_string(), "vip".to_string()]);
    assert_eq!(updated.priority, Priority::High);
    let in_view = |v: View| f.desk.conversations(&v, None, None, 50).unwrap().iter().any(|x| x.id == c);
    assert!(in_view(View::Label("refund".into())) && in_view(View::Team(team.id)));
    assert_eq!(f.desk.count(&View::Label("vip".into()), Some(Status::New)).unwrap(), 1);
    let last = f.desk.messages(c, 0, 50, false).unwrap().pop().unwrap();
    assert_eq!(last.kind, MessageKind::Activity);
    assert!(last.content.contains("added the labels refund, vip") && last.content.contains("team Billing"));

    // Dropping a label and the team takes it out of those views, and only those.
    let changes = ConversationChanges { labels: Some(vec!["vip".into()]), team: Some(None), ..Default::default() };
    f.desk.update_conversation(&f.admin, c, changes).await.unwrap();
    assert!(!in_view(View::Label("refund".into())) && !in_view(View::Team(team.id)));
    assert!(in_view(View::Label("vip".into())));
    assert_eq!(f.desk.count(&View::Label("refund".into()), None).unwrap(), 0);

    let unknown = ConversationChanges { team: Some(Some(Id(999))), ..Default::default() };
    assert!(matches!(f.desk.update_conversation(&f.admin, c, unknown).await, Err(EngineError::NotFound("team"))));
    let bad = ConversationChanges { labels: Some(vec!["no spaces".into()]), ..Default::default() };
    assert!(matches!(f.desk.update_conversation(&f.admin, c, bad).await, Err(EngineError::Invalid(_))));
    f.indexes_agree();
}
