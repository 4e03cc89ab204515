//! Search and message deletion over HTTP, with the indexer running on a real store.

mod common;

use axum::http::StatusCode;
use common::{error_code, Client};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Searches until the result's conversation numbers are `want` (at most 5 s).
async fn until(c: &Client, token: &str, query: &str, want: &[u64]) -> Value {
    let started = Instant::now();
    loop {
        let r = c.call("GET", &format!("/api/v1/search?{query}"), Some(token), None).await;
        if r.status == StatusCode::OK {
            let got: Vec<u64> = r.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["conversation"]["number"].as_u64().unwrap())
                .collect();
            if got == want {
                return r.body;
            }
        }
        assert!(started.elapsed() < Duration::from_secs(5), "{query}: {} {:?}", r.status, r.body);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn agents_search_messages_with_filters_and_snippets_and_a_deleted_message_leaves_the_results() {
    let c = Client::new();
    let admin = c.setup().await;
    let inbox = c.ok("POST", "/api/v1/inboxes", &admin, Some(json!({"name": "Web", "style": "messaging"}))).await;
    let inbox_id = inbox["id"].as_str().unwrap();
    let body = json!({"contact": {"email": "ana@example.com", "name": "Ana López", "language": "es"},
        "content": "Mi pedido 10423 no llegó; quiero la cancelación"});
    let first = c.ok("POST", &format!("/api/v1/inboxes/{inbox_id}/customer_messages"), &admin, Some(body)).await;
    let conversation = first["conversation"]["id"].as_str().unwrap().to_string();
    let note = json!({"content": "Tarjeta 4111 vista en el chat, borrar", "private": true});
    c.ok("POST", &format!("/api/v1/conversations/{conversation}/messages"), &admin, Some(note)).await;

    let found = until(&c, &admin, "q=cancelacion", &[1]).await;
    assert_eq!(found["total"], 1);
    let parts = found["items"][0]["snippet"]["parts"].as_array().unwrap();
    assert!(parts.iter().any(|p| p["text"] == "cancelación" && p["hit"] == true), "{parts:?}");
    assert_eq!(found["items"][0]["contact"]["email"], "ana@example.com");
    // Agents find private notes (marked as such); a status filter narrows.
    let note_hit = until(&c, &admin, "q=tarjeta", &[1]).await;
    assert_eq!(note_hit["items"][0]["snippet"]["kind"], "private_note");
    until(&c, &admin, "q=10423&status=new,open", &[1]).await;
    until(&c, &admin, "q=10423&status=solved", &[]).await;
    until(&c, &admin, "q=lopez", &[1]).await;

    // Deleting the note takes it out of the results; the conversation stays.
    let seq = note_hit["items"][0]["snippet"]["seq"].as_u64().unwrap();
    let deleted = c.ok("DELETE", &format!("/api/v1/conversations/{conversation}/messages/{seq}"), &admin, None).await;
    assert_eq!((deleted["deleted"].clone(), deleted["content"].clone()), (json!(true), json!("")));
    until(&c, &admin, "q=tarjeta", &[]).await;
    until(&c, &admin, "q=10423", &[1]).await;
    let again =
        c.call("DELETE", &format!("/api/v1/conversations/{conversation}/messages/{seq}"), Some(&admin), None).await;
    assert_eq!((again.status, error_code(&again)), (StatusCode::CONFLICT, "conflict"));

    // Another agent may not delete the customer's words.
    let (bo, _) = c.agent(&admin, "bo").await;
    let refused = c.call("DELETE", &format!("/api/v1/conversations/{conversation}/messages/1"), Some(&bo), None).await;
    assert_eq!((refused.status, error_code(&refused)), (StatusCode::FORBIDDEN, "admin_only"));
}

#[tokio::test]
async fn bad_search_input_is_a_4xx_that_says_what_to_fix_and_the_widget_cannot_search() {
    let c = Client::new();
    let admin = c.setup().await;
    let inbox = c.ok("POST", "/api/v1/inboxes", &admin, Some(json!({"name": "Web", "style": "messaging"}))).await;
    until(&c, &admin, "q=anything", &[]).await;
    let r = c.call("GET", "/api/v1/search?q=x&status=done", Some(&admin), None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body["error"]["message"].as_str().unwrap().contains("on_hold"), "{:?}", r.body);
    let r = c.call("GET", "/api/v1/search?q=x&order=oldest", Some(&admin), None).await;
    assert_eq!((r.status, error_code(&r)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"));
    let r = c.call("GET", "/api/v1/search?q=x&limit=ten", Some(&admin), None).await;
    assert_eq!((r.status, error_code(&r)), (StatusCode::BAD_REQUEST, "bad_request"), "a JSON error, not plain text");
    assert!(r.body["error"]["message"].as_str().unwrap().contains("limit"), "{:?}", r.body);
    let r = c.call("GET", "/api/v1/search?q=x", None, None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // The widget API has no search of any kind.
    let token = inbox["widget"]["website_token"].as_str().unwrap();
    let r = c.call("GET", &format!("/api/widget/v1/search?q=x&website_token={token}"), None, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let spec = c.call("GET", "/api/openapi.json", None, None).await.body;
    assert!(spec["paths"]["/api/v1/search"]["get"].is_object());
    assert!(spec["paths"].as_object().unwrap().keys().all(|p| !(p.starts_with("/api/widget") && p.contains("search"))));
}
