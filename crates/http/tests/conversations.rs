//! Conversations through the agent API on a real store: the lifecycle as a client drives it,
//! views and counts, errors a user can cause, the test clock, and the live event stream.

mod common;

use axum::http::StatusCode;
use common::{error_code, Client};
use frontdesk_engine::ShiftedClock;
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

const DAY_SECS: u64 = 24 * 3600;

impl Client {
    async fn inbox(&self, token: &str, style: &str) -> String {
        let r =
            self.call("POST", "/api/v1/inboxes", Some(token), Some(json!({"name": "Website", "style": style}))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        r.body["id"].as_str().unwrap().to_string()
    }

    async fn customer_writes(&self, token: &str, inbox: &str, email: &str, content: &str) -> Value {
        let body = json!({"contact": {"email": email, "name": "Joe"}, "content": content});
        let r = self.call("POST", &format!("/api/v1/inboxes/{inbox}/customer_messages"), Some(token), Some(body)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        r.body
    }
}

fn ids(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn a_conversation_goes_from_first_message_to_closed_and_the_customer_returns_to_a_linked_one() {
    let clock = Arc::new(ShiftedClock::default());
    let c = Client::with_test_clock(Some(clock));
    let token = c.setup().await;
    let inbox = c.inbox(&token, "messaging").await;
    let first = c.customer_writes(&token, &inbox, "joe@example.test", "Where is my order?").await;
    let id = first["conversation"]["id"].as_str().unwrap().to_string();
    assert_eq!(first["conversation"]["status"], "new");

    let unassigned = c.ok("GET", "/api/v1/conversations?view=unassigned&status=new", &token, None).await;
    assert_eq!(ids(&unassigned), vec![id.clone()]);
    // The page brings its contacts, so a list draws names without a read per row.
    let contacts = unassigned["contacts"].as_array().unwrap();
    assert_eq!(contacts.len(), 1);
    assert_eq!(contacts[0]["email"], "joe@example.test");
    assert_eq!(contacts[0]["id"], first["conversation"]["contact"]);
    let counts = c.ok("GET", "/api/v1/conversations/counts?view=unassigned", &token, None).await;
    assert_eq!((counts["all"].as_u64(), counts["new"].as_u64()), (Some(1), Some(1)));

    // Replying accepts it: open, and the replying agent's.
    let reply = json!({"content": "It ships today."});
    let posted = c.ok("POST", &format!("/api/v1/conversations/{id}/messages"), &token, Some(reply)).await;
    assert_eq!(posted["conversation"]["status"], "open");
    let mine = c.ok("GET", "/api/v1/conversations?view=mine", &token, None).await;
    assert_eq!(ids(&mine), vec![id.clone()]);
    assert_eq!(c.ok("GET", "/api/v1/conversations/counts?view=unassigned", &token, None).await["all"], 0);
    let note = json!({"content": "VIP, be quick", "private": true});
    c.ok("POST", &format!("/api/v1/conversations/{id}/messages"), &token, Some(note)).await;
    let listed = c.ok("GET", "/api/v1/conversations?view=mine", &token, None).await;
    assert_eq!(listed["items"][0]["preview"], "It ships today.", "the list previews the reply, never the private note");
    let patch = json!({"labels": ["Shipping"], "priority": "high"});
    c.ok("PATCH", &format!("/api/v1/conversations/{id}"), &token, Some(patch)).await;
    let by_label = c.ok("GET", "/api/v1/conversations?view=label:shipping", &token, None).await;
    assert_eq!(ids(&by_label), vec![id.clone()]);

    let messages = c.ok("GET", &format!("/api/v1/conversations/{id}/messages"), &token, None).await;
    let kinds: Vec<&str> = messages["items"].as_array().unwrap().iter().map(|m| m["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["incoming", "activity", "outgoing", "private_note", "activity"]);
    let later = c.ok("GET", &format!("/api/v1/conversations/{id}/messages?after_seq=3"), &token, None).await;
    assert_eq!(later["items"][0]["seq"], 4);

    // Solved, then closed when the 4-day window passes on the moved clock.
    let solved =
        c.ok("POST", &format!("/api/v1/conversations/{id}/status"), &token, Some(json!({"status": "solved"}))).await;
    assert_eq!(solved["status"], "solved");
    let early = c.ok("POST", "/api/v1/test/clock", &token, Some(json!({"seconds": 3 * DAY_SECS}))).await;
    assert_eq!(early["fired"], 0);
    let due = c.ok("POST", "/api/v1/test/clock", &token, Some(json!({"seconds": DAY_SECS + 60}))).await;
    assert_eq!(due["fired"], 1);
    assert_eq!(c.ok("GET", &format!("/api/v1/conversations/{id}"), &token, None).await["status"], "closed");

    let reopen = c
        .call("POST", &format!("/api/v1/conversations/{id}/status"), Some(&token), Some(json!({"status": "open"})))
        .await;
    assert_eq!((reopen.status, error_code(&reopen)), (StatusCode::CONFLICT, "illegal_transition"));
    assert!(reopen.body["error"]["message"].as_str().unwrap().contains("closed"), "{:?}", reopen.body);

    let again = c.customer_writes(&token, &inbox, "JOE@example.test", "It never came").await;
    let second = again["conversation"]["id"].as_str().unwrap().to_string();
    assert_ne!(second, id);
    assert_eq!(again["conversation"]["previous"], id.as_str());
    let contact = again["conversation"]["contact"].as_str().unwrap();
    assert_eq!(first["conversation"]["contact"], contact, "the same contact, found by email");
    let history = c.ok("GET", &format!("/api/v1/contacts/{contact}/conversations"), &token, None).await;
    let history: Vec<&str> = history.as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(history, [second.as_str(), id.as_str()]);
    assert!(c.desk.check_indexes().unwrap().is_empty());
}

#[tokio::test]
async fn views_page_newest_activity_first_with_cursors() {
    let c = Client::new();
    let token = c.setup().await;
    let inbox = c.inbox(&token, "live_chat").await;
    let mut made = Vec::new();
    for i in 0..7 {
        let posted = c.customer_writes(&token, &inbox, &format!("c{i}@example.test"), "hello").await;
        made.push(posted["conversation"]["id"].as_str().unwrap().to_string());
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(k) => format!("/api/v1/conversations?limit=3&cursor={k}"),
            None => "/api/v1/conversations?limit=3".to_string(),
        };
        let page = c.ok("GET", &path, &token, None).await;
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(k) => cursor = Some(k.to_string()),
            None => break,
        }
    }
    made.reverse();
    assert_eq!(seen, made, "every conversation once, newest first");
}

#[tokio::test]
async fn mistakes_get_clear_errors_and_change_nothing() {
    let c = Client::new();
    let token = c.setup().await;
    let inbox = c.inbox(&token, "messaging").await;
    let posted = c.customer_writes(&token, &inbox, "joe@example.test", "hi").await;
    let id = posted["conversation"]["id"].as_str().unwrap();
    let t = Some(token.as_str());

    let r = c.call("GET", "/api/v1/conversations?view=everything", t, None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body["error"]["message"].as_str().unwrap().contains("mine, unassigned"));
    assert_eq!(c.call("GET", "/api/v1/conversations?status=done", t, None).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(c.call("GET", "/api/v1/conversations?cursor=nope", t, None).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(c.call("GET", "/api/v1/conversations/12345", t, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(c.call("GET", "/api/v1/conversations", None, None).await.status, StatusCode::UNAUTHORIZED);

    let past = json!({"status": "snoozed", "snooze": {"until": "time", "at": 1}});
    let r = c.call("POST", &format!("/api/v1/conversations/{id}/status"), t, Some(past)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    let r = c.call("POST", &format!("/api/v1/conversations/{id}/status"), t, Some(json!({"status": "sideways"}))).await;
    assert_eq!((r.status, error_code(&r)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"));
    let r = c.call("POST", &format!("/api/v1/conversations/{id}/messages"), t, Some(json!({"content": "  "}))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = c.call("PATCH", &format!("/api/v1/conversations/{id}"), t, Some(json!({"team": "777"}))).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = c
        .call("POST", "/api/v1/inboxes", t, Some(json!({"name": "X", "style": "messaging", "close_after_secs": 60})))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Without --test-clock the clock cannot be moved: the endpoint does not exist.
    let r = c.call("POST", "/api/v1/test/clock", t, Some(json!({"seconds": 60}))).await;
    assert_eq!((r.status, error_code(&r)), (StatusCode::NOT_FOUND, "not_found"));

    let after = c.ok("GET", &format!("/api/v1/conversations/{id}"), &token, None).await;
    assert_eq!((after["status"].as_str(), after["last_seq"].as_u64()), (Some("new"), Some(1)));
    assert!(c.desk.check_indexes().unwrap().is_empty());
}

#[tokio::test]
async fn the_event_stream_replays_from_a_cursor_then_delivers_changes_live() {
    let c = Client::new();
    let token = c.setup().await;
    let inbox = c.inbox(&token, "messaging").await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = c.app().into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });

    let refused = tokio_tungstenite::connect_async(format!("ws://{addr}/api/v1/stream?ticket=wrong")).await;
    assert!(refused.is_err(), "a wrong ticket gets no stream");

    // Resume from the start of history: setup and the inbox come first.
    let first_event = c.ok("GET", "/api/v1/events?limit=1", &token, None).await["items"][0]["id"].clone();
    let ticket = c.stream_ticket(&token).await;
    let url = format!("ws://{addr}/api/v1/stream?ticket={ticket}&after={}", first_event.as_str().unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    assert_eq!(next(&mut ws).await["type"], "inbox.created");

    c.customer_writes(&token, &inbox, "joe@example.test", "hello?").await;
    let live: Vec<Value> = vec![next(&mut ws).await, next(&mut ws).await];
    assert_eq!(live[0]["type"], "conversation.created");
    assert_eq!(
        (live[1]["type"].as_str(), live[1]["data"]["private"].as_bool()),
        (Some("message.created"), Some(false))
    );
}

async fn next<
    S: futures_util::Stream<Item = Result<tokio_tungstenite::tungstenite::Message, E>> + Unpin,
    E: std::fmt::Debug,
>(
    ws: &mut S,
) -> Value {
    let frame = tokio::time::timeout(Duration::from_secs(5), ws.next()).await.expect("an event within 5 s");
    let text = frame.expect("the stream stays open").unwrap().into_text().unwrap();
    serde_json::from_str::<Value>(&text).unwrap()
}

#[tokio::test]
async fn every_status_change_the_lifecycle_offers_is_accepted_and_closed_offers_none() {
    let c = Client::new();
    let token = c.setup().await;
    let inbox = c.inbox(&token, "messaging").await;
    let offers = c.ok("GET", "/api/v1/lifecycle", &token, None).await;
    let offered = |status: &str| -> Vec<String> {
        let entry = offers.as_array().unwrap().iter().find(|o| o["status"] == status).unwrap();
        entry["offers"].as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
    };
    assert!(offered("closed").is_empty());
    assert!(!offered("solved").contains(&"solved".to_string()));
    for from in ["new", "open", "pending", "on_hold", "snoozed", "solved"] {
        for to in offered(from) {
            let first = c.customer_writes(&token, &inbox, &format!("{from}-{to}@example.test"), "Hello").await;
            let id = first["conversation"]["id"].as_str().unwrap().to_string();
            let path = format!("/api/v1/conversations/{id}/status");
            let body = |s: &str| match s {
                "snoozed" => json!({"status": "snoozed", "snooze": {"until": "tomorrow"}}),
                s => json!({"status": s}),
            };
            if from != "new" {
                c.ok("POST", &path, &token, Some(body(from))).await;
            }
            let moved = c.ok("POST", &path, &token, Some(body(&to))).await;
            assert_eq!(moved["status"], to.as_str(), "{from} → {to} was offered");
        }
    }
}
