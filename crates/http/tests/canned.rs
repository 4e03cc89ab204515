//! Canned responses over HTTP: admins keep them, every agent lists them.

mod common;

use axum::http::StatusCode;
use common::{error_code, Client};
use serde_json::json;

#[tokio::test]
async fn admins_keep_canned_responses_with_unique_short_codes_and_agents_list_them() {
    let c = Client::new();
    let admin = c.setup().await;
    let refund = json!({"short_code": "/Refund", "content": "We have refunded your order: it shows in 3–5 days."});
    let created = c.ok("POST", "/api/v1/canned_responses", &admin, Some(refund)).await;
    assert_eq!(created["short_code"], "refund", "kept without the slash, lower case");
    let id = created["id"].as_str().unwrap().to_string();
    c.ok(
        "POST",
        "/api/v1/canned_responses",
        &admin,
        Some(json!({"short_code": "hello", "content": "Hi! How can I help?"})),
    )
    .await;

    let taken = c
        .call("POST", "/api/v1/canned_responses", Some(&admin), Some(json!({"short_code": "REFUND", "content": "x"})))
        .await;
    assert_eq!((taken.status, error_code(&taken)), (StatusCode::CONFLICT, "conflict"));
    assert!(taken.body["error"]["message"].as_str().unwrap().contains("/refund is taken"), "{:?}", taken.body);
    let bad = c
        .call(
            "POST",
            "/api/v1/canned_responses",
            Some(&admin),
            Some(json!({"short_code": "two words", "content": "x"})),
        )
        .await;
    assert_eq!((bad.status, error_code(&bad)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"));

    // An agent lists them (by short code) but may not change them.
    let (bo, _) = c.agent(&admin, "bo").await;
    let listed = c.ok("GET", "/api/v1/canned_responses", &bo, None).await;
    let codes: Vec<&str> = listed.as_array().unwrap().iter().map(|r| r["short_code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["hello", "refund"]);
    let refused = c
        .call("POST", "/api/v1/canned_responses", Some(&bo), Some(json!({"short_code": "mine", "content": "x"})))
        .await;
    assert_eq!((refused.status, error_code(&refused)), (StatusCode::FORBIDDEN, "admin_only"));

    // Renaming frees the old code; deleting frees the new one.
    let path = format!("/api/v1/canned_responses/{id}");
    let renamed = c.ok("PUT", &path, &admin, Some(json!({"short_code": "refunded", "content": "Refunded."}))).await;
    assert_eq!((renamed["short_code"].clone(), renamed["content"].clone()), (json!("refunded"), json!("Refunded.")));
    c.ok("POST", "/api/v1/canned_responses", &admin, Some(json!({"short_code": "refund", "content": "Again"}))).await;
    let clash = c.call("PUT", &path, Some(&admin), Some(json!({"short_code": "hello", "content": "x"}))).await;
    assert_eq!(clash.status, StatusCode::CONFLICT);
    let gone = c.call("DELETE", &path, Some(&admin), None).await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    let codes: Vec<String> = c
        .ok("GET", "/api/v1/canned_responses", &bo, None)
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["short_code"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes, ["hello", "refund"]);
    let again = c.call("DELETE", &path, Some(&admin), None).await;
    assert_eq!((again.status, error_code(&again)), (StatusCode::NOT_FOUND, "not_found"));
}

#[tokio::test]
async fn admins_define_the_desks_labels_and_every_agent_reads_them() {
    let c = Client::new();
    let admin = c.setup().await;
    let (agent, _) = c.agent(&admin, "bob").await;
    assert_eq!(c.ok("GET", "/api/v1/labels", &agent, None).await, json!([]));
    let labels = json!([
        {"name": "VIP", "colour": "#AA0000", "description": "Our best customers"},
        {"name": "billing", "colour": "#00aa00"}]);
    let saved = c.ok("PUT", "/api/v1/labels", &admin, Some(labels.clone())).await;
    assert_eq!(saved[0]["name"], "billing");
    assert_eq!((saved[1]["name"].as_str(), saved[1]["colour"].as_str()), (Some("vip"), Some("#aa0000")));
    assert_eq!(c.ok("GET", "/api/v1/labels", &agent, None).await, saved);

    let refused = c.call("PUT", "/api/v1/labels", Some(&agent), Some(labels)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let twice = json!([{"name": "vip", "colour": "#000000"}, {"name": "VIP", "colour": "#111111"}]);
    let bad = c.call("PUT", "/api/v1/labels", Some(&admin), Some(twice)).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body["error"]["message"].as_str().unwrap().contains("'vip' is defined twice"));
    assert_eq!(c.ok("GET", "/api/v1/labels", &agent, None).await, saved, "a refused set changes nothing");
    let events = c.ok("GET", "/api/v1/events", &admin, None).await;
    assert!(events["items"].as_array().unwrap().iter().any(|e| e["type"] == "labels.changed"));
}
