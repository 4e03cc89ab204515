//! `frontdesk backup` and `frontdesk restore` as an admin runs them, against a real `frontdesk
//! serve`: a backup taken from the running desk while customers write, a restore refused while
//! the desk runs and for a damaged file, then a restore that brings every message back.

use frontdesk_e2e::{binary, Desk};
use serde_json::json;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

fn run(args: &[&str], data_dir: &Path) -> Output {
    Command::new(binary()).args(args).arg("--data-dir").arg(data_dir).output().unwrap()
}

fn said(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[test]
#[ignore = "needs the frontdesk binary; scripts/test runs these"]
fn a_backup_of_the_running_desk_under_load_restores_every_acknowledged_message() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("desk");
    let desk = Desk::start(&data);
    let (_, created) = desk.post(
        "/api/v1/setup",
        None,
        json!({"business_name": "Acme", "admin_name": "Ana", "email": "ana@acme.test", "password": "correct horse"}),
    );
    let admin = created["token"].as_str().unwrap().to_string();
    let (_, inbox) = desk.post("/api/v1/inboxes", Some(&admin), json!({"name": "Web", "style": "messaging"}));
    let path = format!("/api/v1/inboxes/{}/customer_messages", inbox["id"].as_str().unwrap());

    // A customer keeps writing through the backup; every acknowledged message is noted.
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (url, token, path, acked, stop) =
            (desk.url.clone(), admin.clone(), path.clone(), acked.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let text = format!("message {n} from Rosa");
                let body = json!({"contact": {"email": format!("rosa{}@example.test", n % 20)}, "content": text});
                let sent = ureq::post(&format!("{url}{path}"))
                    .set("Authorization", &format!("Bearer {token}"))
                    .send_json(body);
                assert!(sent.is_ok(), "{sent:?}");
                acked.lock().unwrap().push(text);
                n += 1;
            }
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(500));
    let file = dir.path().join("acme.fdbackup");
    let acked_before = acked.lock().unwrap().len();
    let out = Command::new(binary()).arg("backup").arg(&file).arg("--data-dir").arg(&data).output().unwrap();
    let text = said(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains(&format!("asking the running desk, process {}", desk.child.id())), "{text}");
    assert!(text.contains("backup written to") && text.contains("writes made during it"), "{text}");
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    assert!(acked_before > 10, "the load ran: {acked_before}");

    // While the desk runs, a restore is refused, naming it.
    let refused = run(&["restore", file.to_str().unwrap()], &data);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        said(&refused).contains(&format!("in use by another Frontdesk: process {}", desk.child.id())),
        "{}",
        said(&refused)
    );
    let (exit, _) = desk.terminate();
    assert!(exit.success());

    // A damaged copy is refused and changes nothing.
    let mut bytes = std::fs::read(&file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    let damaged = dir.path().join("damaged.fdbackup");
    std::fs::write(&damaged, &bytes).unwrap();
    let refused = run(&["restore", damaged.to_str().unwrap()], &data);
    assert_eq!(refused.status.code(), Some(1));
    assert!(said(&refused).contains("checksum does not match"), "{}", said(&refused));
    assert!(said(&refused).contains("nothing was changed"), "{}", said(&refused));

    let restored = run(&["restore", file.to_str().unwrap()], &data);
    assert!(restored.status.success(), "{}", said(&restored));
    assert!(said(&restored).contains("the data that was there is kept in"), "{}", said(&restored));

    // The restored desk has every message acknowledged before the backup started.
    let desk = Desk::start(&data);
    let (status, _) = desk.get("/api/v1/me", Some(&admin));
    assert_eq!(status, 200, "the admin's session is in the backup");
    let mut found = std::collections::HashSet::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = cursor.as_ref().map(|c| format!("&cursor={c}")).unwrap_or_default();
        let (_, page) = desk.get(&format!("/api/v1/conversations?view=all&limit=100{q}"), Some(&admin));
        for c in page["items"].as_array().unwrap() {
            let id = c["id"].as_str().unwrap();
            let mut after = 0;
            loop {
                let (_, messages) =
                    desk.get(&format!("/api/v1/conversations/{id}/messages?limit=500&after_seq={after}"), Some(&admin));
                for m in messages["items"].as_array().unwrap() {
                    found.insert(m["content"].as_str().unwrap_or_default().to_string());
                }
                match messages["next_after_seq"].as_u64() {
                    Some(next) => after = next,
                    None => break,
                }
            }
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    let acked = acked.lock().unwrap();
    let missing: Vec<_> = acked.iter().take(acked_before).filter(|t| !found.contains(*t)).collect();
    assert!(
        missing.is_empty(),
        "{} acknowledged messages are missing: {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
}
