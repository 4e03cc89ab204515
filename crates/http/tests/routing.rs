//! Routing through the agent API on a real store: an agent goes online and gets conversations,
//! the queue says why the rest wait, admins set capacity, skills and inbox rules, manual
//! assignment and transfer, and the errors a user can cause.

mod common;

use axum::http::StatusCode;
use common::{error_code, Client};
use serde_json::{json, Value};

impl Client {
    async fn customer(&self, token: &str, inbox: &str, email: &str) -> Value {
        let body = json!({"contact": {"email": email}, "content": "hello"});
        self.ok("POST", &format!("/api/v1/inboxes/{inbox}/customer_messages"), token, Some(body)).await["conversation"]
            .clone()
    }
}

#[tokio::test]
async fn an_agent_online_gets_conversations_and_the_queue_says_why_the_rest_wait() {
    let c = Client::new();
    let admin = c.setup().await;
    let (bob, bob_id) = c.agent(&admin, "bob").await;
    let inbox = c.ok("POST", "/api/v1/inboxes", &admin, Some(json!({"name": "Web", "style": "messaging"}))).await;
    let inbox = inbox["id"].as_str().unwrap().to_string();
    assert_eq!(
        c.ok("GET", "/api/v1/inboxes", &admin, None).await[0]["routing"]["auto_assign"],
        true,
        "auto-assignment is on by default"
    );

    let first = c.customer(&admin, &inbox, "a@example.test").await;
    assert_eq!(first["assignee"], Value::Null, "nobody is online yet");
    let overview = c.ok("GET", "/api/v1/routing", &admin, None).await;
    assert_eq!(overview["waiting"], 1);
    assert_eq!(overview["queue"][0]["reason"], "no_one_online");

    let profile = c
        .ok("PUT", &format!("/api/v1/agents/{bob_id}/availability"), &bob, Some(json!({"availability": "online"})))
        .await;
    assert_eq!((profile["availability"].as_str(), profile["capacity"].as_u64()), (Some("online"), Some(3)));
    let got = c.ok("GET", &format!("/api/v1/conversations/{}", first["id"].as_str().unwrap()), &bob, None).await;
    assert_eq!(got["assignee"], bob_id.as_str(), "going online takes the waiting conversation");

    c.ok("PATCH", &format!("/api/v1/agents/{bob_id}/routing"), &admin, Some(json!({"capacity": 1}))).await;
    let second = c.customer(&admin, &inbox, "b@example.test").await;
    assert_eq!(second["assignee"], Value::Null);
    let overview = c.ok("GET", "/api/v1/routing", &bob, None).await;
    assert_eq!(overview["queue"][0]["reason"], "all_at_capacity");
    let bob_load = overview["agents"].as_array().unwrap().iter().find(|a| a["agent"] == bob_id.as_str()).unwrap();
    assert_eq!((bob_load["load"].as_u64(), bob_load["capacity"].as_u64()), (Some(1), Some(1)));
    assert!(overview["queue"][0]["waited_secs"].as_u64().is_some());
}

#[tokio::test]
async fn manual_assignment_transfer_and_inbox_rules_through_the_api() {
    let c = Client::new();
    let admin = c.setup().await;
    let (bob, bob_id) = c.agent(&admin, "bob").await;
    let team = c.ok("POST", "/api/v1/teams", &admin, Some(json!({"name": "Billing"}))).await;
    let team = team["id"].as_str().unwrap().to_string();
    let inbox = c.ok("POST", "/api/v1/inboxes", &admin, Some(json!({"name": "Web", "style": "messaging"}))).await;
    let inbox = inbox["id"].as_str().unwrap().to_string();
    let rules = json!({"auto_assign": false, "required_skills": ["Billing"], "priority_rules": [{"label": "vip", "priority": "urgent"}]});
    let updated = c.ok("PUT", &format!("/api/v1/inboxes/{inbox}/routing"), &admin, Some(rules)).await;
    assert_eq!(updated["routing"]["required_skills"], json!(["billing"]), "skills are normalized");

    let conv = c.customer(&admin, &inbox, "a@example.test").await;
    let id = conv["id"].as_str().unwrap();
    let assigned =
        c.ok("PUT", &format!("/api/v1/conversations/{id}/assignee"), &admin, Some(json!({"assignee": bob_id}))).await;
    assert_eq!(assigned["assignee"], bob_id.as_str());
    let moved =
        c.ok("POST", &format!("/api/v1/conversations/{id}/transfer"), &admin, Some(json!({"team": team}))).await;
    assert_eq!((moved["assignee"].clone(), moved["team"].as_str()), (Value::Null, Some(team.as_str())));
    let messages = c.ok("GET", &format!("/api/v1/conversations/{id}/messages"), &admin, None).await;
    let lines: Vec<&str> =
        messages["items"].as_array().unwrap().iter().map(|m| m["content"].as_str().unwrap()).collect();
    assert!(lines.contains(&"Ana assigned the conversation to bob"), "{lines:?}");
    assert!(lines.contains(&"Ana transferred the conversation to the team Billing"), "{lines:?}");

    // Mistakes a user can make.
    let r = c
        .call(
            "PUT",
            &format!("/api/v1/agents/{bob_id}/availability"),
            Some(&admin),
            Some(json!({"availability": "busy"})),
        )
        .await;
    assert!(r.status.is_client_error(), "{:?}", r.body);
    let r = c
        .call("PATCH", &format!("/api/v1/agents/{bob_id}/routing"), Some(&admin), Some(json!({"capacity": 500})))
        .await;
    assert_eq!((r.status, error_code(&r)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"), "{:?}", r.body);
    assert!(r.body["error"]["message"].as_str().unwrap().contains("between 0 and 100"));
    let r = c
        .call("PUT", &format!("/api/v1/conversations/{id}/assignee"), Some(&admin), Some(json!({"assignee": "12345"})))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.body);
    let r = c
        .call("POST", &format!("/api/v1/conversations/{id}/transfer"), Some(&admin), Some(json!({"team": "nope"})))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
    let r =
        c.call("PATCH", &format!("/api/v1/agents/{bob_id}/routing"), Some(&bob), Some(json!({"capacity": 5}))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "only admins set capacity: {:?}", r.body);
}
