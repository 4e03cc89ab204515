//! The outbox across a crash: `frontdesk serve` is killed with SIGKILL while the SMTP server
//! (python3-aiosmtpd on loopback) holds the transcript without having answered yet.

use frontdesk_e2e::smtp::{Mode, SmtpServer};
use frontdesk_e2e::Desk;
use serde_json::json;
use std::time::{Duration, Instant};

#[test]
#[ignore = "needs the frontdesk binary; scripts/test runs these"]
fn a_kill_during_sending_then_a_restart_delivers_the_transcript_again_with_the_same_message_id_and_records_it_sent() {
    let server = SmtpServer::start();
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk::start(dir.path());
    let setup =
        json!({"business_name": "Acme", "admin_name": "Ana", "email": "ana@acme.test", "password": "correct horse"});
    let token = desk.post("/api/v1/setup", None, setup).1["token"].as_str().unwrap().to_string();
    let t = Some(token.as_str());
    let smtp = json!({"host": "127.0.0.1", "port": server.port, "security": "none",
                      "from_address": "help@acme.test", "from_name": "Acme Help"});
    assert_eq!(desk.put("/api/v1/settings/smtp", t, smtp).0, 200);
    let inbox = desk.post("/api/v1/inboxes", t, json!({"name": "Website", "style": "messaging"})).1;
    let inbox = inbox["id"].as_str().unwrap();
    let hello = json!({"contact": {"email": "joe@example.test"}, "content": "Where is my order?"});
    let posted = desk.post(&format!("/api/v1/inboxes/{inbox}/customer_messages"), t, hello).1;
    let conversation = posted["conversation"]["id"].as_str().unwrap().to_string();

    // The server keeps the message, then takes 30 s to say so: the desk dies in between.
    server.set_mode(Mode::Slow(Duration::from_secs(30)));
    let (status, queued) = desk.post(&format!("/api/v1/conversations/{conversation}/transcript"), t, json!({}));
    assert_eq!((status, queued["state"].as_str()), (202, Some("queued")), "{queued}");
    let first = server.wait_for(1, Duration::from_secs(20));
    desk.kill();

    server.set_mode(Mode::Accept);
    let desk = Desk::start(dir.path());
    let both = server.wait_for(2, Duration::from_secs(20));
    let start = Instant::now();
    let emails = loop {
        let (_, emails) = desk.get(&format!("/api/v1/conversations/{conversation}/emails"), t);
        if emails[0]["state"] == "sent" {
            break emails;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "not recorded as sent: {emails}");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(emails[0]["attempts"], 1, "the try cut short by the kill was never recorded");
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(server.messages().len(), 2, "exactly one resend");
    let id = queued["message_id"].as_str().unwrap();
    assert_eq!(first[0]["headers"]["message-id"], id);
    assert_eq!(both[1]["headers"]["message-id"], id, "the resend carries the same Message-ID");
}
