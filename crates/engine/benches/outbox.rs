//! Emails per second through the outbox to a real SMTP server on loopback (python3-aiosmtpd),
//! against a ceiling measured in the same run: the same server fed by the bare lettre
//! transport, with as many connections as the worker uses and no store at all.
//!
//! `cargo bench -p frontdesk-engine --bench outbox` (emails: `OUTBOX_EMAILS`, default 2,000).

mod common;

use common::{fresh_desk, summary, Unit};
use frontdesk_domain::conversation::Style;
use frontdesk_domain::email::{EmailState, SmtpSecurity, SmtpSettingsInput};
use frontdesk_domain::inbox::InboxSettings;
use frontdesk_e2e::smtp::SmtpServer;
use frontdesk_engine::{ContactRef, TranscriptRequest};
use frontdesk_mail::{Mailer, OutgoingMessage};
use std::time::{Duration, Instant};

const CONVERSATIONS: usize = 100;
const LANES: usize = 4;

fn main() {
    let emails: usize = std::env::var("OUTBOX_EMAILS").ok().and_then(|n| n.parse().ok()).unwrap_or(2_000);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(run(emails));
}

async fn run(emails: usize) {
    let server = SmtpServer::start();
    let settings = SmtpSettingsInput {
        host: "127.0.0.1".into(),
        port: Some(server.port),
        security: SmtpSecurity::None,
        username: None,
        password: None,
        from_address: "help@bench.test".into(),
        from_name: "Bench".into(),
        reply_to: None,
    };

    // The outbox: queue every email first (each durable before it is acknowledged), then let
    // the worker drain them.
    let dir = std::env::temp_dir().join("frontdesk-bench-outbox");
    let (desk, store, admin) = fresh_desk(&dir).await;
    desk.update_smtp_settings(&admin, settings.clone()).await.unwrap();
    let inbox = InboxSettings {
        business_hours: None,
        name: "Web".into(),
        style: Style::Messaging,
        close_after_secs: None,
        time_zone: Some("Europe/Rome".into()),
        business_day_starts_at: None,
        routing: None,
        transcript_on_solve: None,
    };
    let inbox = desk.create_inbox(&admin, inbox).await.unwrap().id;
    let mut conversations = Vec::new();
    for n in 0..CONVERSATIONS {
        let who = ContactRef { email: Some(format!("customer{n}@example.test")), ..Default::default() };
        let c = desk.customer_message(inbox, who, "Hello, where is my order?").await.unwrap().conversation.id;
        desk.agent_message(&admin, c, "It ships today.", false).await.unwrap();
        desk.customer_message(
            inbox,
            ContactRef { email: Some(format!("customer{n}@example.test")), ..Default::default() },
            "Thanks!",
        )
        .await
        .unwrap();
        conversations.push(c);
    }
    let mut queue_latency = Vec::with_capacity(emails);
    let queued_at = Instant::now();
    for i in 0..emails {
        let t = Instant::now();
        desk.send_transcript(&admin, conversations[i % CONVERSATIONS], TranscriptRequest::default()).await.unwrap();
        queue_latency.push(t.elapsed());
    }
    let queueing = queued_at.elapsed();
    let flushes_before = store.flush_count();
    let started = Instant::now();
    let worker = tokio::spawn(desk.clone().run_outbox());
    while store.waiting_email_count() > 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let drained = started.elapsed();
    worker.abort();
    let flushes = store.flush_count() - flushes_before;
    let sent = desk.emails(None, 200).unwrap().iter().filter(|e| e.state == EmailState::Sent).count();
    assert_eq!(sent, 200.min(emails), "every email sent");
    let received = tokio::task::block_in_place(|| server.wait_for(emails, Duration::from_secs(60))).len();
    assert_eq!(received, emails, "the server got each email once");
    let outbox_rate = emails as f64 / drained.as_secs_f64();

    // The ceiling: the same server and transport, the same number of connections, no store.
    let mailer = Mailer::new(&settings.apply(None).unwrap()).unwrap();
    let sample = desk.conversation_emails(conversations[0]).unwrap()[0].clone();
    let message = OutgoingMessage {
        message_id: "<ceiling@bench.test>".into(),
        to: sample.to.clone(),
        subject: "Your conversation with Bench (#1)".into(),
        html: format!("<p>{}</p>", "Hello, where is my order? It ships today. Thanks! ".repeat(8)),
        text: "Hello, where is my order? It ships today. Thanks! ".repeat(8),
    };
    let started = Instant::now();
    let lane = |n: usize| {
        let (mailer, message) = (&mailer, &message);
        async move {
            for _ in (n..emails).step_by(LANES) {
                mailer.send(message).await.unwrap();
            }
        }
    };
    tokio::join!(lane(0), lane(1), lane(2), lane(3));
    let ceiling = started.elapsed();
    let ceiling_rate = emails as f64 / ceiling.as_secs_f64();

    println!("outbox to aiosmtpd on loopback, {emails} transcripts of 3-message conversations, {LANES} connections");
    println!(
        "  queueing (each durable before it is acknowledged): {:.0}/s; {}",
        emails as f64 / queueing.as_secs_f64(),
        summary(queue_latency, Unit::Millis)
    );
    println!(
        "  outbox drain: {emails} sent in {:.2} s = {outbox_rate:.0} emails/s ({flushes} flushes for {emails} outcomes)",
        drained.as_secs_f64()
    );
    println!("  ceiling, bare lettre to the same server: {ceiling_rate:.0} emails/s");
    println!("  outbox / ceiling: {:.2}", outbox_rate / ceiling_rate);
    drop(mailer);
    let _ = std::fs::remove_dir_all(&dir);
}
