//! `frontdesk serve` as a user runs it: a real process, a real data folder, real HTTP.

use frontdesk_e2e::{binary, Desk};
use serde_json::json;
use std::process::Command;

/// Runs `frontdesk serve` on `data_dir`, expecting it to refuse to start; returns what it said.
fn refused_start(data_dir: &std::path::Path) -> String {
    let out =
        Command::new(binary()).args(["serve", "--listen", "127.0.0.1:0", "--data-dir"]).arg(data_dir).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "serve must exit with 1 when it cannot open the data folder");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn setup_body() -> serde_json::Value {
    json!({"business_name": "Acme", "admin_name": "Ana", "email": "ana@acme.test", "password": "correct horse"})
}

#[test]
#[ignore = "needs the frontdesk binary; scripts/test runs these"]
fn serve_sets_up_stops_cleanly_on_sigterm_and_keeps_everything_on_restart() {
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk::start(dir.path());
    let (status, health) = desk.get("/health", None);
    assert_eq!((status, health["needs_setup"].as_bool()), (200, Some(true)), "{health}");
    let (status, created) = desk.post("/api/v1/setup", None, setup_body());
    assert_eq!(status, 201, "{created}");
    let token = created["token"].as_str().unwrap().to_string();

    let (exit, printed) = desk.terminate();
    assert!(exit.success(), "SIGTERM must end serve cleanly, got {exit:?}");
    assert!(printed.iter().any(|l| l.contains("all data flushed")), "{printed:?}");

    let desk = Desk::start(dir.path());
    assert_eq!(desk.get("/health", None).1["needs_setup"], false, "setup survives the restart");
    let (status, me) = desk.get("/api/v1/me", Some(&token));
    assert_eq!((status, me["name"].as_str()), (200, Some("Ana")), "the session survives the restart");
    let (status, _) =
        desk.post("/api/v1/auth/login", None, json!({"email": "ana@acme.test", "password": "correct horse"}));
    assert_eq!(status, 200);
}

#[test]
#[ignore = "needs the frontdesk binary; scripts/test runs these"]
fn serve_embeds_the_ui_and_answers_its_routes() {
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk::start(dir.path());
    let page = ureq::get(&format!("{}/", desk.url)).call().unwrap().into_string().unwrap();
    assert!(page.contains("<div id=\"app\">"), "the built UI's index.html is served: {page}");
    let script = page.split("src=\"").nth(1).and_then(|s| s.split('"').next()).expect("a script tag");
    let asset = ureq::get(&format!("{}{script}", desk.url)).call().unwrap();
    assert_eq!(asset.content_type(), "text/javascript");
    let deep = ureq::get(&format!("{}/some/ui/route", desk.url)).call().unwrap().into_string().unwrap();
    assert_eq!(deep, page, "unknown paths get the app, so reloads keep working");
    let (status, doc) = desk.get("/api/openapi.json", None);
    assert_eq!(status, 200);
    assert!(doc["paths"]["/api/v1/auth/login"].is_object());
}

#[test]
#[ignore = "needs the frontdesk binary; scripts/test runs these"]
fn a_second_desk_on_the_same_data_folder_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let first = Desk::start(dir.path());
    let err = refused_start(dir.path());
    assert!(
        err.contains(&format!("is in use by another Frontdesk: process {} (frontdesk serve", first.child.id())),
        "{err}"
    );
}

#[test]
#[ignore = "needs the frontdesk binary; scripts/test runs these"]
fn a_data_folder_from_a_newer_frontdesk_is_refused_naming_both_versions() {
    let dir = tempfile::tempdir().unwrap();
    {
        let db = sled::open(dir.path()).unwrap();
        db.open_tree("meta").unwrap().insert(b"schema_version", &42u32.to_be_bytes()).unwrap();
        db.flush().unwrap();
    }
    let err = refused_start(dir.path());
    assert!(err.contains("schema version 42") && err.contains("up to version 2"), "{err}");
}

#[test]
#[ignore = "needs the frontdesk binary; scripts/test runs these"]
fn the_desktop_app_without_a_display_points_to_serve_instead_of_panicking() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(binary())
        .arg("--data-dir")
        .arg(dir.path())
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no display") && err.contains("frontdesk serve"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
#[ignore = "needs the frontdesk binary; scripts/test runs these"]
fn bad_command_lines_are_refused_with_the_reason() {
    let out = Command::new(binary()).args(["serve", "--lan", "--listen", "127.0.0.1:9"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("drop one of them"));
    let out = Command::new(binary()).args(["serve", "--listen", "not-an-address"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--listen"));
}

#[test]
#[ignore = "needs the frontdesk binary; scripts/test runs these"]
fn with_test_clock_a_four_day_close_window_passes_in_a_request_and_without_it_the_clock_cannot_move() {
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk::start_with(dir.path(), &["--test-clock"]);
    let token = desk.post("/api/v1/setup", None, setup_body()).1["token"].as_str().unwrap().to_string();
    let t = Some(token.as_str());
    let (status, inbox) = desk.post("/api/v1/inboxes", t, json!({"name": "Website", "style": "messaging"}));
    assert_eq!(status, 201, "{inbox}");
    let inbox = inbox["id"].as_str().unwrap();
    let first = json!({"contact": {"email": "joe@example.test"}, "content": "Is my order on its way?"});
    let (status, posted) = desk.post(&format!("/api/v1/inboxes/{inbox}/customer_messages"), t, first);
    assert_eq!(status, 201, "{posted}");
    let id = posted["conversation"]["id"].as_str().unwrap().to_string();
    let (status, solved) = desk.post(&format!("/api/v1/conversations/{id}/status"), t, json!({"status": "solved"}));
    assert_eq!((status, solved["status"].as_str()), (200, Some("solved")), "{solved}");

    // Within the window the customer's reply reopens it; solved again, the window starts over.
    let (_, moved) = desk.post("/api/v1/test/clock", t, json!({"seconds": 3 * 24 * 3600}));
    assert_eq!(moved["fired"], 0);
    let again = json!({"contact": {"email": "joe@example.test"}, "content": "Still nothing"});
    let (_, posted) = desk.post(&format!("/api/v1/inboxes/{inbox}/customer_messages"), t, again);
    assert_eq!(
        (posted["conversation"]["id"].as_str(), posted["conversation"]["status"].as_str()),
        (Some(&*id), Some("open"))
    );
    desk.post(&format!("/api/v1/conversations/{id}/status"), t, json!({"status": "solved"}));
    let (_, moved) = desk.post("/api/v1/test/clock", t, json!({"seconds": 4 * 24 * 3600 + 60}));
    assert_eq!(moved["fired"], 1, "{moved}");
    let (_, conversation) = desk.get(&format!("/api/v1/conversations/{id}"), t);
    assert_eq!(conversation["status"], "closed");
    let (exit, _) = desk.terminate();
    assert!(exit.success());

    let desk = Desk::start(dir.path());
    let (status, body) = desk.post("/api/v1/test/clock", t, json!({"seconds": 60}));
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("not_found")), "{body}");
    assert_eq!(desk.get(&format!("/api/v1/conversations/{id}"), t).1["status"], "closed", "kept across the restart");
}
