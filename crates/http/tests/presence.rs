//! Collision warnings between agents: an agent with a conversation open is shown to the others
//! as viewing it (never to themselves, never to the customer), until they close it.

mod common;

use axum::http::StatusCode;
use common::{error_code, next_of, serve, Client};
use serde_json::json;

#[tokio::test]
async fn the_other_agents_see_who_is_viewing_a_conversation() {
    let c = Client::new();
    let ana = c.setup().await;
    let (ben, _) = c.agent(&ana, "Ben").await;
    let ana_id = c.ok("GET", "/api/v1/me", &ana, None).await["id"].clone();
    let inbox = c.ok("POST", "/api/v1/inboxes", &ana, Some(json!({"name": "Web", "style": "messaging"}))).await;
    let path = format!("/api/v1/inboxes/{}/customer_messages", inbox["id"].as_str().unwrap());
    let posted = c.ok("POST", &path, &ana, Some(json!({"contact": {"email": "a@b.test"}, "content": "hi"}))).await;
    let id = posted["conversation"]["id"].as_str().unwrap().to_string();
    let addr = serve(&c).await;
    let stream_of = |ticket: String| format!("ws://localhost:{}/api/v1/stream?ticket={ticket}", addr.port());
    let (mut bens, _) = tokio_tungstenite::connect_async(stream_of(c.stream_ticket(&ben).await)).await.unwrap();
    let (mut anas, _) = tokio_tungstenite::connect_async(stream_of(c.stream_ticket(&ana).await)).await.unwrap();

    // Ana opens it: Ben is told (again and again, so nothing is lost by starting late).
    let viewing = format!("/api/v1/conversations/{id}/viewing");
    let v = loop {
        c.ok("POST", &viewing, &ana, Some(json!({"viewing": true}))).await;
        if let Ok(v) = tokio::time::timeout(std::time::Duration::from_millis(300), next_of(&mut bens, "viewing")).await
        {
            break v;
        }
    };
    assert_eq!(v["data"], json!({"conversation": id, "agent": ana_id, "viewing": true}));
    assert!(v.get("id").is_none(), "not a stored event");

    // Ana closes it: Ben sees that too. Ana's own stream never hears of herself: the first
    // viewing frame she gets is Ben's.
    c.ok("POST", &viewing, &ana, Some(json!({"viewing": false}))).await;
    loop {
        let v = next_of(&mut bens, "viewing").await;
        if v["data"]["viewing"] == false {
            break;
        }
    }
    c.ok("POST", &viewing, &ben, Some(json!({"viewing": true}))).await;
    let v = next_of(&mut anas, "viewing").await;
    assert_ne!(v["data"]["agent"], ana_id);

    let r = c.call("POST", "/api/v1/conversations/987654/viewing", Some(&ana), Some(json!({"viewing": true}))).await;
    assert_eq!((r.status, error_code(&r)), (StatusCode::NOT_FOUND, "not_found"));
}
