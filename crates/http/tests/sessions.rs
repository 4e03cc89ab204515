//! Agents' sessions over HTTP: deactivation ends them for good, and the event stream opens only
//! with a one-time ticket of 30 s, never with a session token in its URL.

mod common;

use axum::http::StatusCode;
use common::{error_code, serve, Client};
use frontdesk_engine::ShiftedClock;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio_tungstenite::tungstenite;

/// Opens the agents' stream with `query`: `Ok` once it is a WebSocket, otherwise the refusal's
/// status and JSON body.
async fn open_stream(addr: SocketAddr, query: &str) -> Result<(), (StatusCode, Value)> {
    match tokio_tungstenite::connect_async(format!("ws://{addr}/api/v1/stream?{query}")).await {
        Ok(_) => Ok(()),
        Err(tungstenite::Error::Http(res)) => {
            let status = StatusCode::from_u16(res.status().as_u16()).unwrap();
            let body = res.body().as_deref().unwrap_or_default();
            Err((
                status,
                serde_json::from_slice(body).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into())),
            ))
        }
        Err(other) => panic!("the desk did not answer the stream's handshake: {other}"),
    }
}

fn code(refusal: &(StatusCode, Value)) -> (StatusCode, &str) {
    (refusal.0, refusal.1["error"]["code"].as_str().unwrap_or_else(|| panic!("not an API error: {:?}", refusal.1)))
}

async fn log_in(c: &Client, email: &str, password: &str) -> common::Reply {
    c.call("POST", "/api/v1/auth/login", None, Some(json!({"email": email, "password": password}))).await
}

#[tokio::test]
async fn deactivating_an_agent_ends_every_session_and_reactivating_brings_none_back() {
    let c = Client::new();
    let admin = c.setup().await;
    let (bob, bob_id) = c.agent(&admin, "bob").await;
    let second = log_in(&c, "bob@acme.test", "a long secret").await;
    let bob_elsewhere = second.body["token"].as_str().unwrap().to_string();
    let addr = serve(&c).await;
    let ticket = c.stream_ticket(&bob).await;

    c.ok("POST", &format!("/api/v1/agents/{bob_id}/deactivate"), &admin, None).await;
    for token in [&bob, &bob_elsewhere] {
        let r = c.call("GET", "/api/v1/me", Some(token), None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{:?}", r.body);
    }
    let refused = open_stream(addr, &format!("ticket={ticket}")).await.unwrap_err();
    assert_eq!(
        code(&refused),
        (StatusCode::UNAUTHORIZED, "not_authenticated"),
        "a deactivated agent's ticket opens nothing"
    );

    c.ok("POST", &format!("/api/v1/agents/{bob_id}/reactivate"), &admin, None).await;
    for token in [&bob, &bob_elsewhere] {
        let r = c.call("GET", "/api/v1/me", Some(token), None).await;
        assert_eq!(
            (r.status, error_code(&r)),
            (StatusCode::UNAUTHORIZED, "not_authenticated"),
            "an old token stays dead"
        );
    }
    let again = log_in(&c, "bob@acme.test", "a long secret").await;
    assert_eq!(again.status, StatusCode::OK, "{:?}", again.body);
    let me = c.ok("GET", "/api/v1/me", again.body["token"].as_str().unwrap(), None).await;
    assert_eq!(me["id"], bob_id.as_str());
    // The admin's own session was never touched.
    c.ok("GET", "/api/v1/me", &admin, None).await;
}

#[tokio::test]
async fn a_stream_ticket_opens_one_stream_once_within_30_seconds() {
    let c = Client::with_test_clock(Some(Arc::new(ShiftedClock::default())));
    let admin = c.setup().await;
    let addr = serve(&c).await;
    let advance = |seconds: u64| c.ok("POST", "/api/v1/test/clock", &admin, Some(json!({ "seconds": seconds })));

    let ticket = c.stream_ticket(&admin).await;
    open_stream(addr, &format!("ticket={ticket}")).await.expect("a fresh ticket opens the stream");
    let reused = open_stream(addr, &format!("ticket={ticket}")).await.unwrap_err();
    assert_eq!(code(&reused), (StatusCode::UNAUTHORIZED, "stream_ticket_invalid"));
    assert!(reused.1["error"]["message"].as_str().unwrap().contains("POST /api/v1/stream/ticket"), "{:?}", reused.1);

    let late = c.stream_ticket(&admin).await;
    let in_time = c.stream_ticket(&admin).await;
    advance(29).await;
    open_stream(addr, &format!("ticket={in_time}")).await.expect("29 s later the ticket still works");
    advance(2).await;
    let expired = open_stream(addr, &format!("ticket={late}")).await.unwrap_err();
    assert_eq!(code(&expired), (StatusCode::UNAUTHORIZED, "stream_ticket_invalid"), "31 s is too late");

    // A ticket stands for its session: once that is logged out, the ticket opens nothing.
    let orphan = c.stream_ticket(&admin).await;
    c.ok("POST", "/api/v1/auth/logout", &admin, None).await;
    let refused = open_stream(addr, &format!("ticket={orphan}")).await.unwrap_err();
    assert_eq!(code(&refused), (StatusCode::UNAUTHORIZED, "not_authenticated"));

    let anonymous = c.call("POST", "/api/v1/stream/ticket", None, None).await;
    assert_eq!((anonymous.status, error_code(&anonymous)), (StatusCode::UNAUTHORIZED, "not_authenticated"));
}

#[tokio::test]
async fn the_stream_refuses_a_session_token_in_its_url() {
    let c = Client::new();
    let admin = c.setup().await;
    let addr = serve(&c).await;
    let refused = open_stream(addr, &format!("access_token={admin}")).await.unwrap_err();
    assert_eq!(code(&refused), (StatusCode::UNAUTHORIZED, "stream_ticket_required"));
    let message = refused.1["error"]["message"].as_str().unwrap();
    assert!(message.contains("not accepted") && message.contains("POST /api/v1/stream/ticket"), "{message}");
    let bare = open_stream(addr, "").await.unwrap_err();
    assert_eq!(code(&bare), (StatusCode::UNAUTHORIZED, "stream_ticket_required"));
}

#[tokio::test]
async fn the_api_document_describes_the_ticket_and_the_stream_query() {
    let c = Client::new();
    let doc = c.call("GET", "/api/openapi.json", None, None).await.body;
    let ticket = &doc["paths"]["/api/v1/stream/ticket"]["post"];
    for status in ["200", "401"] {
        assert!(ticket["responses"].get(status).is_some(), "POST /stream/ticket documents {status}: {ticket}");
    }
    let params = doc["paths"]["/api/v1/stream"]["get"]["parameters"].as_array().unwrap();
    let found: Vec<(&str, &str, bool)> = params
        .iter()
        .map(|p| (p["name"].as_str().unwrap(), p["in"].as_str().unwrap(), p["required"].as_bool().unwrap_or(false)))
        .collect();
    assert_eq!(found, [("ticket", "query", true), ("after", "query", false)]);
}
