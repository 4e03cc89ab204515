//! Discovery on the office network between two processes on this machine: a desk started with
//! `--lan` is found by `frontdesk discover` under its business name and reachable at the address
//! it gives; a desk on loopback only is never announced; a stopped desk says goodbye.

use frontdesk_e2e::{binary, Desk};
use serde_json::json;
use std::process::Command;

fn discover(seconds: u32) -> String {
    let out = Command::new(binary()).args(["discover", "--seconds", &seconds.to_string()]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn set_up(desk: &Desk, business: &str) {
    let body =
        json!({"business_name": business, "admin_name": "Ana", "email": "ana@acme.test", "password": "correct horse"});
    let (status, reply) = desk.post("/api/v1/setup", None, body);
    assert_eq!(status, 201, "{reply}");
}

#[test]
#[ignore = "needs the frontdesk binary; scripts/test runs these"]
fn a_desk_on_the_lan_is_discovered_by_name_and_one_on_loopback_is_not() {
    let unique = std::process::id();
    let lan_name = format!("Acme Bikes {unique}");
    let local_name = format!("Loopback Only {unique}");
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let lan = Desk::start_listening(a.path(), &["--lan", "--listen", "0.0.0.0:0"]);
    let local = Desk::start(b.path());
    // Set up after the start: the announcement takes the business name when it gets one.
    set_up(&lan, &lan_name);
    set_up(&local, &local_name);
    let port = lan.url.rsplit(':').next().unwrap().trim_end_matches('/').to_string();

    let mut listed = String::new();
    for _ in 0..5 {
        listed = discover(3);
        if listed.contains(&lan_name) {
            break;
        }
    }
    let line = listed.lines().find(|l| l.starts_with(&lan_name)).unwrap_or_else(|| panic!("not found: {listed}"));
    assert!(line.contains(&format!(":{port}/")) && line.contains("(Frontdesk "), "{line}");
    assert!(!listed.contains(&local_name), "a loopback desk is never announced: {listed}");
    // The address it gives is the desk, over HTTPS (its own certificate: curl -k here; the app pins it).
    let url = line.split_whitespace().find(|w| w.starts_with("https://")).unwrap_or_else(|| panic!("{line}"));
    let health = Command::new("curl").args(["-sk", "--max-time", "5", &format!("{url}health")]).output().unwrap();
    assert!(String::from_utf8_lossy(&health.stdout).contains("\"status\":\"ok\""), "{health:?}");

    let (exit, _) = lan.terminate();
    assert!(exit.success());
    let after = discover(2);
    assert!(!after.contains(&lan_name), "a stopped desk no longer answers: {after}");
    drop(local);
}
