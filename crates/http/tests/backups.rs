//! Backups over HTTP: an admin picks a folder, backs up now and follows the progress to a file in
//! the folder; mistakes get a 4xx that says what to do; agents may not.

mod common;

use axum::http::StatusCode;
use common::{error_code, Client};
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn an_admin_chooses_a_folder_backs_up_now_and_sees_the_file() {
    let c = Client::new();
    let admin = c.setup().await;
    let status = c.ok("GET", "/api/v1/backups", &admin, None).await;
    assert!(status["settings"].is_null() && status["files"] == json!([]));
    let early = c.call("POST", "/api/v1/backups", Some(&admin), None).await;
    assert_eq!((early.status, error_code(&early)), (StatusCode::CONFLICT, "conflict"));
    assert!(early.body["error"]["message"].as_str().unwrap().contains("choose a backup folder"));

    let bad = c
        .call(
            "PUT",
            "/api/v1/backups/settings",
            Some(&admin),
            Some(json!({"folder": "Backups", "daily": true, "keep": 7})),
        )
        .await;
    assert_eq!((bad.status, error_code(&bad)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"));
    assert!(bad.body["error"]["message"].as_str().unwrap().contains("not a full path"), "{:?}", bad.body);
    let missing = c.call("PUT", "/api/v1/backups/settings", Some(&admin), Some(json!({"folder": "/tmp"}))).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", missing.body);
    assert!(missing.body["error"]["message"].as_str().unwrap().contains("missing field `daily`"));

    let folder = tempfile::tempdir().unwrap();
    let settings = json!({"folder": folder.path().display().to_string(), "daily": false, "keep": 3});
    assert_eq!(c.ok("PUT", "/api/v1/backups/settings", &admin, Some(settings.clone())).await, settings);
    let started = c.call("POST", "/api/v1/backups", Some(&admin), None).await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{:?}", started.body);
    let file = started.body["file"].as_str().unwrap().to_string();
    assert!(file.starts_with(&folder.path().display().to_string()) && file.ends_with(".fdbackup"), "{file}");

    let mut status = serde_json::Value::Null;
    for _ in 0..500 {
        status = c.ok("GET", "/api/v1/backups", &admin, None).await;
        if status["running"].is_null() && !status["last"].is_null() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(status["last"]["file"], json!(file), "{status}");
    assert!(status["last"]["error"].is_null(), "{status}");
    let bytes = std::fs::metadata(&file).unwrap().len();
    assert_eq!(status["files"][0]["bytes"], json!(bytes));
    assert_eq!(status["last"]["bytes"], json!(bytes));
    assert!(status["next_due"].is_null(), "no schedule, no next backup");

    let (bo, _) = c.agent(&admin, "bo").await;
    let refused = c.call("POST", "/api/v1/backups", Some(&bo), None).await;
    assert_eq!((refused.status, error_code(&refused)), (StatusCode::FORBIDDEN, "admin_only"));
    let hidden = c.call("GET", "/api/v1/backups", Some(&bo), None).await;
    assert_eq!(hidden.status, StatusCode::FORBIDDEN);
}
