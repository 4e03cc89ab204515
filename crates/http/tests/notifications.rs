//! Desktop notifications over the agents' stream: an agent hears of a conversation assigned to
//! them, a customer's reply in theirs and a note that mentions them, never of a muted
//! conversation or a kind they turned off; bad mentions are refused.

mod common;

use axum::http::StatusCode;
use common::{error_code, next_of, serve, Client};
use serde_json::{json, Value};

#[tokio::test]
async fn an_agent_is_notified_of_assignments_replies_and_mentions_unless_muted_or_turned_off() {
    let c = Client::new();
    let admin = c.setup().await;
    let (ben, ben_id) = c.agent(&admin, "Ben").await;
    let inbox = c.ok("POST", "/api/v1/inboxes", &admin, Some(json!({"name": "Web", "style": "messaging"}))).await;
    let customer_says = |email: &str, text: &str| {
        let path = format!("/api/v1/inboxes/{}/customer_messages", inbox["id"].as_str().unwrap());
        let body = json!({"contact": {"email": email, "name": if email.starts_with("rosa") { "Rosa" } else { "Luca" }}, "content": text});
        let c = &c;
        let admin = admin.clone();
        async move { c.ok("POST", &path, &admin, Some(body)).await["conversation"]["id"].as_str().unwrap().to_string() }
    };
    // Ana gives Rosa's conversation to Ben: he is told who, by whom, and what Rosa wrote.
    let rosa = customer_says("rosa@example.test", "My order #1042 never came").await;
    // The stream resumes from here, so it sees each later event in order however soon it starts.
    let after = c.desk.last_event_id().unwrap().unwrap();
    let addr = serve(&c).await;
    let ticket = c.stream_ticket(&ben).await;
    let url = format!("ws://localhost:{}/api/v1/stream?ticket={ticket}&after={after}", addr.port());
    let (mut stream, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    c.ok("PUT", &format!("/api/v1/conversations/{rosa}/assignee"), &admin, Some(json!({"assignee": ben_id}))).await;
    let n = next_of(&mut stream, "notification").await;
    assert_eq!(n["data"]["kind"], "assigned");
    assert_eq!(n["data"]["conversation"], rosa.as_str());
    assert_eq!(n["data"]["contact"], "Rosa");
    assert_eq!(n["data"]["by"], "Ana");
    assert_eq!(n["data"]["preview"], "My order #1042 never came");
    assert!(n.get("id").is_none(), "a notification is not a stored event");

    // Rosa writes again in Ben's conversation.
    customer_says("rosa@example.test", "Any news?").await;
    let n = next_of(&mut stream, "notification").await;
    assert_eq!(
        (n["data"]["kind"].as_str(), n["data"]["preview"].as_str()),
        (Some("customer_reply"), Some("Any news?"))
    );
    assert_eq!(n["data"]["by"], Value::Null);

    // Ana mentions Ben in a note on Luca's conversation, which is nobody's.
    let luca = customer_says("luca@example.test", "Hello").await;
    let note = json!({"content": "@Ben can you take this one?", "private": true, "mentions": [ben_id]});
    c.ok("POST", &format!("/api/v1/conversations/{luca}/messages"), &admin, Some(note.clone())).await;
    let n = next_of(&mut stream, "notification").await;
    assert_eq!(
        (n["data"]["kind"].as_str(), n["data"]["conversation"].as_str()),
        (Some("mention"), Some(luca.as_str()))
    );
    assert_eq!(n["data"]["by"], "Ana");

    // Ben mutes Rosa's conversation: her next message is quiet, the next mention is not.
    let muted = c.ok("PATCH", &format!("/api/v1/conversations/{rosa}"), &ben, Some(json!({"muted": true}))).await;
    assert_eq!(muted["muted"], true);
    customer_says("rosa@example.test", "Hello??").await;
    c.ok("POST", &format!("/api/v1/conversations/{luca}/messages"), &admin, Some(note.clone())).await;
    let n = next_of(&mut stream, "notification").await;
    assert_eq!(n["data"]["kind"], "mention", "nothing about the muted conversation came first: {n}");
    let lines = c.ok("GET", &format!("/api/v1/conversations/{rosa}/messages"), &ben, None).await;
    assert!(lines.to_string().contains("Ben muted the conversation"), "{lines}");

    // Ben turns mentions off: an unmuted reply still comes, the mention before it does not.
    c.ok("PATCH", &format!("/api/v1/conversations/{rosa}"), &ben, Some(json!({"muted": false}))).await;
    let settings = json!({"assigned": true, "customer_reply": true, "mention": false});
    let me = c.ok("PUT", "/api/v1/me/notifications", &ben, Some(settings.clone())).await;
    assert_eq!(me["notifications"], settings);
    assert_eq!(c.ok("GET", "/api/v1/me", &ben, None).await["notifications"], settings, "kept");
    c.ok("POST", &format!("/api/v1/conversations/{luca}/messages"), &admin, Some(note)).await;
    customer_says("rosa@example.test", "Still there?").await;
    let n = next_of(&mut stream, "notification").await;
    assert_eq!(
        (n["data"]["kind"].as_str(), n["data"]["preview"].as_str()),
        (Some("customer_reply"), Some("Still there?"))
    );
}

#[tokio::test]
async fn only_a_private_note_mentions_and_only_active_agents() {
    let c = Client::new();
    let admin = c.setup().await;
    let inbox = c.ok("POST", "/api/v1/inboxes", &admin, Some(json!({"name": "Web", "style": "messaging"}))).await;
    let path = format!("/api/v1/inboxes/{}/customer_messages", inbox["id"].as_str().unwrap());
    let posted = c.ok("POST", &path, &admin, Some(json!({"contact": {"email": "a@b.test"}, "content": "hi"}))).await;
    let messages = format!("/api/v1/conversations/{}/messages", posted["conversation"]["id"].as_str().unwrap());
    let me = c.ok("GET", "/api/v1/me", &admin, None).await["id"].clone();

    let r = c.call("POST", &messages, Some(&admin), Some(json!({"content": "hi", "mentions": [me]}))).await;
    assert_eq!((r.status, error_code(&r)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"));
    assert!(r.body["error"]["message"].as_str().unwrap().contains("only a private note"), "{:?}", r.body);

    let r = c
        .call("POST", &messages, Some(&admin), Some(json!({"content": "hi", "private": true, "mentions": ["424242"]})))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body["error"]["message"].as_str().unwrap().contains("424242"), "{:?}", r.body);

    let r = c
        .call("POST", &messages, Some(&admin), Some(json!({"content": "hi", "private": true, "mentions": [me, me]})))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.body["message"]["mentions"], json!([me]), "each agent once");
    let all = c.ok("GET", &messages, &admin, None).await;
    let first = &all["items"][0];
    assert_eq!(first["content"], "hi");
    assert!(first.get("mentions").is_none(), "a message without mentions has none: {first}");
}
