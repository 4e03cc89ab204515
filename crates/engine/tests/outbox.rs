//! Transcripts through the outbox to a real SMTP server on loopback (python3-aiosmtpd), on a
//! real store and a manual clock.

mod common;

use frontdesk_domain::conversation::Style;
use frontdesk_domain::email::{EmailState, OutgoingEmail, SmtpSecurity, SmtpSettingsInput};
use frontdesk_domain::inbox::{InboxSettings, MessageKind};
use frontdesk_domain::{Agent, Id, Timestamp};
use frontdesk_e2e::smtp::{Mode, SmtpServer};
use frontdesk_engine::{
    ContactRef, Desk, EngineError, ManualClock, StatusRequest, StoreConfig, TestEmailRequest, TranscriptRequest,
};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

const START: Timestamp = Timestamp(1_800_007_200_000);
const WAIT: Duration = Duration::from_secs(20);

struct Fixture {
    desk: Desk,
    clock: Arc<ManualClock>,
    admin: Agent,
    inbox: Id,
    worker: tokio::task::JoinHandle<()>,
    dir: tempfile::TempDir,
}

fn smtp_to(port: u16) -> SmtpSettingsInput {
    SmtpSettingsInput {
        host: "127.0.0.1".into(),
        port: Some(port),
        security: SmtpSecurity::None,
        username: None,
        password: None,
        from_address: "help@acme.test".into(),
        from_name: "Acme Help".into(),
        reply_to: Some("support@acme.test".into()),
    }
}

impl Fixture {
    async fn new(smtp_port: u16, transcript_on_solve: bool) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(START));
        let desk = Desk::open(dir.path(), &StoreConfig::default(), clock.clone(), &mut |_| {}).unwrap();
        let admin = desk.setup(common::acme_setup()).await.unwrap().agent;
        let settings = InboxSettings {
            business_hours: None,
            transcript_on_solve: Some(transcript_on_solve),
            name: "Website".into(),
            style: Style::Messaging,
            close_after_secs: None,
            time_zone: Some("Europe/Rome".into()),
            business_day_starts_at: None,
            routing: None,
        };
        let inbox = desk.create_inbox(&admin, settings).await.unwrap().id;
        desk.update_smtp_settings(&admin, smtp_to(smtp_port)).await.unwrap();
        let worker = tokio::spawn(desk.clone().run_outbox());
        Fixture { desk, clock, admin, inbox, worker, dir }
    }

    /// A conversation from Carla (Spanish-speaking) with a reply and a private note.
    async fn conversation(&self) -> Id {
        let who = ContactRef {
            email: Some("carla@example.test".into()),
            language: Some("es-ES".into()),
            ..Default::default()
        };
        let c = self.desk.customer_message(self.inbox, who, "¿Dónde está mi pedido?").await.unwrap().conversation.id;
        self.desk.agent_message(&self.admin, c, "Sale hoy <b>seguro</b>.", false).await.unwrap();
        self.desk.agent_message(&self.admin, c, "SECRET: she asked twice", true).await.unwrap();
        c
    }

    async fn transcript(&self, conversation: Id) -> OutgoingEmail {
        self.desk.send_transcript(&self.admin, conversation, TranscriptRequest::default()).await.unwrap()
    }

    /// Waits until the email is in `state`, and returns it.
    async fn until(&self, email: Id, state: EmailState) -> OutgoingEmail {
        let start = Instant::now();
        loop {
            let e = self.desk.emails(None, 200).unwrap().into_iter().find(|e| e.id == email).unwrap();
            if e.state == state {
                return e;
            }
            assert!(start.elapsed() < WAIT, "email still {:?} ({:?}), waiting for {state:?}", e.state, e.last_error);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn activity(&self, conversation: Id) -> Vec<String> {
        let messages = self.desk.messages(conversation, 0, 100, false).unwrap();
        messages.into_iter().filter(|m| m.kind == MessageKind::Activity).map(|m| m.content).collect()
    }

    /// Moves the clock and tells the worker, as `--test-clock` does.
    fn advance(&self, by: Duration) {
        self.clock.advance(by);
        self.desk.wake_outbox();
    }
}

/// Waits for the server's messages off the async threads.
async fn received(server: &SmtpServer, n: usize) -> Vec<serde_json::Value> {
    tokio::task::block_in_place(|| server.wait_for(n, WAIT))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transcript_arrives_as_valid_mime_with_both_parts_in_the_contacts_language_and_no_private_note() {
    let server = SmtpServer::start();
    let f = Fixture::new(server.port, false).await;
    let c = f.conversation().await;
    let queued = f.transcript(c).await;
    assert_eq!((queued.state, queued.to.as_str()), (EmailState::Queued, "carla@example.test"));
    assert!(
        f.activity(c).contains(&"Ana sent the transcript to carla@example.test".to_string()),
        "{:?}",
        f.activity(c)
    );

    let got = received(&server, 1).await;
    let m = &got[0];
    assert_eq!(m["rcpt_tos"], serde_json::json!(["carla@example.test"]));
    assert_eq!(m["headers"]["subject"], "Tu conversación con Acme (#1)");
    assert_eq!(m["headers"]["message-id"], queued.message_id.as_str());
    assert_eq!(m["headers"]["reply-to"], "Acme Help <support@acme.test>");
    assert_eq!(m["content_type"], "multipart/alternative");
    assert_eq!(m["defects"], serde_json::json!([]), "valid MIME");
    let (text, html) = (m["parts"]["text/plain"].as_str().unwrap(), m["parts"]["text/html"].as_str().unwrap());
    assert!(text.contains("¿Dónde está mi pedido?") && text.contains("Sale hoy <b>seguro</b>."), "{text}");
    assert!(html.contains("Sale hoy &lt;b&gt;seguro&lt;/b&gt;."), "escaped in HTML: {html}");
    assert!(text.contains("Tú (") && text.contains("Ana ("), "authors named: {text}");
    assert!(text.contains(" CET)"), "times in the inbox's zone (Europe/Rome): {text}");
    for part in [text, html] {
        assert!(!part.contains("SECRET"), "a private note reached the customer: {part}");
        assert!(!part.contains("sent the transcript"), "an activity line reached the customer");
    }
    let sent = f.until(queued.id, EmailState::Sent).await;
    assert_eq!((sent.attempts, sent.sent_at), (1, Some(START)));
    assert_eq!(f.desk.conversation_emails(c).unwrap(), vec![sent]);
    assert!(f.desk.check_indexes().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_server_down_the_email_is_retried_and_delivered_once_it_comes_up() {
    let mut server = SmtpServer::down();
    let f = Fixture::new(server.port, false).await;
    let c = f.conversation().await;
    let queued = f.transcript(c).await;
    let retrying = f.until(queued.id, EmailState::Retrying).await;
    assert!(retrying.last_error.as_deref().unwrap().contains(&format!("127.0.0.1:{}", server.port)), "{retrying:?}");
    assert_eq!(retrying.next_attempt_at, Some(START.plus(Duration::from_secs(15))));

    server.come_up();
    f.advance(Duration::from_secs(15));
    let got = received(&server, 1).await;
    let sent = f.until(queued.id, EmailState::Sent).await;
    assert_eq!(sent.attempts, 2);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(server.messages().len(), 1, "delivered once");
    assert_eq!(got[0]["headers"]["message-id"], queued.message_id.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_4xx_answer_is_retried_later_and_a_5xx_answer_fails_for_good_and_says_so_on_the_conversation() {
    let server = SmtpServer::start();
    let f = Fixture::new(server.port, false).await;
    let c = f.conversation().await;

    server.set_mode(Mode::Temporary);
    let busy = f.transcript(c).await;
    let retrying = f.until(busy.id, EmailState::Retrying).await;
    assert_eq!(retrying.last_error.as_deref(), Some("451 4.3.0 Mailbox busy, try again later"));
    server.set_mode(Mode::Accept);
    f.advance(Duration::from_secs(15));
    f.until(busy.id, EmailState::Sent).await;

    server.set_mode(Mode::Permanent);
    let refused = f.desk.send_transcript(&f.admin, c, TranscriptRequest { to: Some("nobody@example.test".into()) });
    let refused = refused.await.unwrap();
    let failed = f.until(refused.id, EmailState::Failed).await;
    assert_eq!(failed.last_error.as_deref(), Some("550 5.1.1 No such user here"));
    assert_eq!(failed.next_attempt_at, None);
    let line = "The email to nobody@example.test could not be sent: 550 5.1.1 No such user here".to_string();
    assert!(f.activity(c).contains(&line), "{:?}", f.activity(c));
    f.advance(Duration::from_secs(3600));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(server.messages().len(), 1, "the failed email is not tried again");
    assert!(f.desk.check_indexes().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn solving_sends_the_transcript_when_the_inbox_says_so() {
    let server = SmtpServer::start();
    let f = Fixture::new(server.port, true).await;
    let c = f.conversation().await;
    f.desk.change_status(&f.admin, c, StatusRequest::Solved).await.unwrap();
    let emails = f.desk.conversation_emails(c).unwrap();
    assert_eq!(emails.len(), 1, "queued with the solve, in its transaction");
    assert_eq!(emails[0].requested_by, None);
    assert!(f.activity(c).contains(&"The transcript was sent to carla@example.test".to_string()));
    let got = received(&server, 1).await;
    assert_eq!(got[0]["rcpt_tos"], serde_json::json!(["carla@example.test"]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_are_refused_clearly_and_the_password_is_never_shown() {
    let server = SmtpServer::start();
    let f = Fixture::new(server.port, false).await;
    let c = f.conversation().await;
    let bad = f.desk.send_transcript(&f.admin, c, TranscriptRequest { to: Some("carla@".into()) }).await;
    assert!(matches!(&bad, Err(EngineError::Invalid(e)) if e.to_string().starts_with("to: 'carla@' is not an email")));
    let none = f.desk.send_transcript(&f.admin, Id(42), TranscriptRequest::default()).await;
    assert!(matches!(none, Err(EngineError::NotFound("conversation"))));

    let with_password = SmtpSettingsInput {
        username: Some("desk".into()),
        password: Some("hunter2-secret".into()),
        ..smtp_to(server.port)
    };
    let view = f.desk.update_smtp_settings(&f.admin, with_password).await.unwrap();
    assert!(view.password_set);
    let shown = serde_json::to_string(&f.desk.smtp_settings(&f.admin).unwrap()).unwrap();
    assert!(!shown.contains("hunter2"), "{shown}");
    // Saving again without a password keeps it.
    let again = SmtpSettingsInput { username: Some("desk".into()), ..smtp_to(server.port) };
    assert!(f.desk.update_smtp_settings(&f.admin, again).await.unwrap().password_set);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_test_email_reports_the_servers_exact_answer() {
    let server = SmtpServer::start();
    let f = Fixture::new(server.port, false).await;
    let ok = f.desk.send_test_email(&f.admin, TestEmailRequest::default()).await.unwrap();
    assert!(ok.sent && ok.answer.starts_with("250 2.0.0 Stored as"), "{ok:?}");
    assert_eq!(ok.to, "ana@acme.test");
    assert_eq!(server.messages()[0]["headers"]["subject"], "Test email from Acme");

    server.set_mode(Mode::Permanent);
    let refused = f.desk.send_test_email(&f.admin, TestEmailRequest::default()).await.unwrap();
    assert_eq!((refused.sent, refused.answer.as_str()), (false, "550 5.1.1 No such user here"));

    let elsewhere = TestEmailRequest { to: None, settings: Some(smtp_to(SmtpServer::down().port)) };
    let unreachable = f.desk.send_test_email(&f.admin, elsewhere).await.unwrap();
    assert!(!unreachable.sent && unreachable.answer.starts_with("could not talk to 127.0.0.1:"), "{unreachable:?}");
}

/// Opens the desk again on the same folder with a worker, as after a restart.
async fn reopen(dir: &Path, clock: Arc<ManualClock>) -> (Desk, tokio::task::JoinHandle<()>) {
    let desk = Desk::open(dir, &StoreConfig::default(), clock, &mut |_| {}).unwrap();
    let worker = tokio::spawn(desk.clone().run_outbox());
    (desk, worker)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_keeps_queued_emails_and_a_send_cut_short_is_sent_again_with_the_same_message_id() {
    let mut server = SmtpServer::down();
    let f = Fixture::new(server.port, false).await;
    let c = f.conversation().await;
    let queued = f.transcript(c).await;
    f.until(queued.id, EmailState::Retrying).await;

    // Stop the desk while the email waits, then start it again with the server up.
    let Fixture { desk, clock, worker, dir, .. } = f;
    worker.abort();
    let _ = worker.await;
    drop(desk);
    server.come_up();
    // The server stores the message, then the desk stops before reading the server's answer.
    server.set_mode(Mode::Slow(Duration::from_secs(5)));
    clock.advance(Duration::from_secs(15));
    let (desk, worker) = reopen(dir.path(), clock.clone()).await;
    received(&server, 1).await;
    worker.abort();
    let _ = worker.await;
    drop(desk);

    server.set_mode(Mode::Accept);
    let (desk, _worker) = reopen(dir.path(), clock.clone()).await;
    let got = received(&server, 2).await;
    let start = Instant::now();
    while desk.emails(None, 10).unwrap()[0].state != EmailState::Sent {
        assert!(start.elapsed() < WAIT, "not recorded as sent");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let got_after = server.messages();
    assert_eq!(got_after.len(), 2, "once more at worst, never more: {got:?}");
    assert_eq!(got[0]["headers"]["message-id"], got[1]["headers"]["message-id"], "the resend is the same email");
    assert_eq!(got[0]["headers"]["message-id"], queued.message_id.as_str());
}
