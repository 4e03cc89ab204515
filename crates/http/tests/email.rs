//! Outgoing email through the agent API, with a real SMTP server on loopback: the settings
//! (the password never comes back), the test email's answer, transcripts and their state, and
//! the errors a user can cause.

mod common;

use axum::http::StatusCode;
use common::{error_code, Client};
use frontdesk_e2e::smtp::SmtpServer;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn smtp(port: u16) -> Value {
    json!({"host": "127.0.0.1", "port": port, "security": "none", "username": "desk",
           "password": "hunter2-secret", "from_address": "help@acme.test", "from_name": "Acme Help"})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_sets_up_smtp_tests_it_and_a_transcript_goes_out_with_its_state_visible() {
    let server = SmtpServer::start();
    let c = Client::new();
    let admin = c.setup().await;
    let _worker = tokio::spawn(c.desk.clone().run_outbox());
    let inbox =
        c.call("POST", "/api/v1/inboxes", Some(&admin), Some(json!({"name": "Web", "style": "messaging"}))).await;
    let inbox = inbox.body["id"].as_str().unwrap().to_string();
    let body = json!({"contact": {"email": "carla@example.test", "language": "it"}, "content": "Ciao"});
    let posted = c.call("POST", &format!("/api/v1/inboxes/{inbox}/customer_messages"), Some(&admin), Some(body)).await;
    let conversation = posted.body["conversation"]["id"].as_str().unwrap().to_string();
    let transcript = format!("/api/v1/conversations/{conversation}/transcript");

    assert_eq!(c.call("GET", "/api/v1/settings/smtp", Some(&admin), None).await.body, Value::Null);
    let early = c.call("POST", &transcript, Some(&admin), Some(json!({}))).await;
    assert_eq!((early.status, error_code(&early)), (StatusCode::CONFLICT, "conflict"));
    assert!(early.body["error"]["message"].as_str().unwrap().contains("SMTP"), "{:?}", early.body);

    let mut bad = smtp(server.port);
    bad["from_address"] = json!("help@");
    let r = c.call("PUT", "/api/v1/settings/smtp", Some(&admin), Some(bad)).await;
    assert_eq!((r.status, error_code(&r)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"));
    assert!(r.body["error"]["message"].as_str().unwrap().starts_with("from_address:"), "{:?}", r.body);

    let saved = c.call("PUT", "/api/v1/settings/smtp", Some(&admin), Some(smtp(server.port))).await;
    assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);
    let shown = c.call("GET", "/api/v1/settings/smtp", Some(&admin), None).await.body;
    assert_eq!(shown["password_set"], true);
    for body in [&saved.body, &shown] {
        assert!(!body.to_string().contains("hunter2") && body.get("password").is_none(), "{body}");
    }

    let test = c.call("POST", "/api/v1/settings/smtp/test", Some(&admin), Some(json!({"to": "it@acme.test"}))).await;
    assert_eq!(test.status, StatusCode::OK);
    assert_eq!(test.body["sent"], true, "{:?}", test.body);
    assert!(test.body["answer"].as_str().unwrap().starts_with("250 "), "{:?}", test.body);

    let r = c.call("POST", &transcript, Some(&admin), Some(json!({"to": "not an address"}))).await;
    assert_eq!((r.status, error_code(&r)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"));
    let queued = c.call("POST", &transcript, Some(&admin), Some(json!({}))).await;
    assert_eq!(queued.status, StatusCode::ACCEPTED, "{:?}", queued.body);
    assert_eq!(
        (queued.body["state"].as_str(), queued.body["to"].as_str()),
        (Some("queued"), Some("carla@example.test"))
    );

    let got = tokio::task::block_in_place(|| server.wait_for(2, Duration::from_secs(20)));
    assert_eq!(got[1]["headers"]["subject"], "La tua conversazione con Acme (#1)");
    let start = Instant::now();
    loop {
        let listed = c.call("GET", &format!("/api/v1/conversations/{conversation}/emails"), Some(&admin), None).await;
        if listed.body[0]["state"] == "sent" {
            assert_eq!(listed.body[0]["attempts"], 1);
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "{:?}", listed.body);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let outbox = c.call("GET", "/api/v1/emails?limit=5", Some(&admin), None).await;
    assert_eq!(outbox.body.as_array().unwrap().len(), 1, "the test email is not in the outbox");
}

#[tokio::test]
async fn only_admins_see_or_change_the_email_settings_and_the_document_lists_the_endpoints() {
    let c = Client::new();
    let admin = c.setup().await;
    let body = json!({"name": "bob", "email": "bob@acme.test", "role": "agent"});
    let link =
        c.call("POST", "/api/v1/agents", Some(&admin), Some(body)).await.body["token"].as_str().unwrap().to_string();
    let accepted = c
        .call("POST", &format!("/api/v1/invitations/{link}/accept"), None, Some(json!({"password": "a long secret"})))
        .await;
    let bob = accepted.body["token"].as_str().unwrap().to_string();
    for (method, path, body) in [
        ("GET", "/api/v1/settings/smtp", None),
        ("PUT", "/api/v1/settings/smtp", Some(smtp(25))),
        ("POST", "/api/v1/settings/smtp/test", Some(json!({}))),
    ] {
        let r = c.call(method, path, Some(&bob), body).await;
        assert_eq!((r.status, error_code(&r)), (StatusCode::FORBIDDEN, "admin_only"), "{method} {path}");
    }
    let doc = c.call("GET", "/api/openapi.json", None, None).await.body;
    for path in [
        "/api/v1/settings/smtp",
        "/api/v1/settings/smtp/test",
        "/api/v1/conversations/{id}/transcript",
        "/api/v1/emails",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing from the OpenAPI document");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_smtp_password_is_reported_with_the_servers_words() {
    let server = SmtpServer::start();
    let c = Client::new();
    let admin = c.setup().await;
    let mut wrong = smtp(server.port);
    wrong["password"] = json!("not-the-password");
    let test = c.call("POST", "/api/v1/settings/smtp/test", Some(&admin), Some(json!({"settings": wrong}))).await;
    assert_eq!(test.body["sent"], false);
    assert!(test.body["answer"].as_str().unwrap().starts_with("535 "), "{:?}", test.body);
    assert_eq!(
        c.call("GET", "/api/v1/settings/smtp", Some(&admin), None).await.body,
        Value::Null,
        "a test saves nothing"
    );
}
