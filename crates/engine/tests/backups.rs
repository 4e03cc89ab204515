//! Backups through the engine on a real store: one taken while customers keep writing restores
//! every message acknowledged before it ended; the daily schedule makes one a day and keeps as
//! many as the admin said; the settings refuse what cannot work.

mod common;

use frontdesk_domain::backup::BackupSettings;
use frontdesk_domain::{Agent, Id, Timestamp};
use frontdesk_engine::{ContactRef, EngineError, ManualClock};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const START: Timestamp = Timestamp(1_800_007_200_000);

use common::{open, set_up_with_inbox as set_up};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_a_message_load_restores_every_message_acknowledged_before_it_ended() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("desk");
    let clock = Arc::new(ManualClock::new(START));
    let desk = open(&data, &clock);
    let (_, inbox) = set_up(&desk).await;

    // Four customers write without pause; each acknowledged message is noted.
    let acked: Arc<Mutex<Vec<(Id, u64, String)>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..4 {
        let (desk, acked, stop) = (desk.clone(), acked.clone(), stop.clone());
        writers.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let who = ContactRef { email: Some(format!("c{w}-{}@example.test", n % 50)), ..Default::default() };
                let text = format!("customer {w} message {n}");
                let posted = desk.customer_message(inbox, who, &text).await.unwrap();
                acked.lock().unwrap().push((posted.conversation.id, posted.message.seq, text));
                n += 1;
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let file = dir.path().join("during-load.fdbackup");
    let at_end: Arc<Mutex<usize>> = Arc::default();
    let seen = at_end.clone();
    let acked_now = acked.clone();
    let mut held_first = false;
    let summary = desk
        .backup_to(file.clone(), move |p| {
            // "Finishing" is reported just before the record of concurrent writes stops, so every
            // message acknowledged by then must be in the file.
            let mut seen = seen.lock().unwrap();
            // A small store is copied faster than a message is written: hold the first report
            // until more messages are acknowledged, so writes surely land while the backup runs.
            if !held_first {
                held_first = true;
                let before = acked_now.lock().unwrap().len();
                let until = std::time::Instant::now() + Duration::from_secs(5);
                while acked_now.lock().unwrap().len() < before + 20 && std::time::Instant::now() < until {
                    std::thread::sleep(Duration::from_millis(5));
                }
            }
            if p.phase == frontdesk_domain::backup::BackupPhase::Finishing && *seen == 0 {
                *seen = acked_now.lock().unwrap().len();
            }
        })
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.await.unwrap();
    }
    let acked_at_end = *at_end.lock().unwrap();
    assert!(acked_at_end > 100, "the load ran during the backup: {acked_at_end} messages");
    assert!(summary.tail_writes > 0, "writes landed while the backup ran: {summary:?}");
    let later = acked.lock().unwrap().len() - acked_at_end;
    assert!(later > 0, "the load went on after the backup");
    drop(desk);

    let restored = dir.path().join("restored");
    frontdesk_engine::restore_backup(&file, &restored, START, &mut |_| {}).unwrap();
    let back = open(&restored, &clock);
    let acked = acked.lock().unwrap();
    for (conversation, seq, text) in acked.iter().take(acked_at_end) {
        let found = back.messages(*conversation, seq - 1, 1, false).unwrap();
        assert_eq!(found.first().map(|m| m.content.as_str()), Some(text.as_str()), "message {seq} of {conversation}");
    }
    eprintln!("{acked_at_end} messages acknowledged before the backup ended, all restored; {later} after it");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daily_schedule_backs_up_once_a_day_and_keeps_the_newest_few() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(START));
    let desk = open(&dir.path().join("desk"), &clock);
    let (admin, _) = set_up(&desk).await;
    let folder = dir.path().join("backups");
    let settings = BackupSettings { folder: folder.display().to_string(), daily: true, keep: 2 };
    desk.update_backup_settings(&admin, settings).await.unwrap();
    let schedule = tokio::spawn(desk.clone().run_backups());

    // Waits until the folder holds `want` backups, the newest made at `newest`.
    let files = |want: usize, newest: Timestamp| {
        let desk = desk.clone();
        let admin = admin.clone();
        async move {
            for _ in 0..500 {
                let status = desk.backup_status(&admin).unwrap();
                if status.files.len() == want && status.files[0].made_at == newest && status.running.is_none() {
                    return status;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            panic!("the folder never held {want} backups up to {newest:?}: {:?}", desk.backup_status(&admin).unwrap());
        }
    };
    // None in the folder: one at once.
    let first = files(1, START).await;
    assert_eq!(first.next_due, Some(START.plus(Duration::from_secs(86_400))));
    assert!(first.last.as_ref().is_some_and(|l| l.error.is_none() && l.bytes == Some(first.files[0].bytes)));
    // Within the day: no other.
    clock.advance(Duration::from_secs(23 * 3600));
    desk.update_backup_settings(&admin, first.settings.clone().unwrap()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(desk.backup_status(&admin).unwrap().files.len(), 1);
    // Three days later, one a day; the oldest goes once there are more than two.
    for day in 1..=3 {
        clock.advance(Duration::from_secs(if day == 1 { 3600 } else { 86_400 }));
        desk.update_backup_settings(&admin, first.settings.clone().unwrap()).await.unwrap();
        let newest = START.plus(Duration::from_secs(86_400 * day));
        let status = files(2, newest).await;
        assert_eq!(
            status.files[1].made_at,
            newest.plus(Duration::from_secs(0)).0.checked_sub(86_400_000).map(Timestamp).unwrap()
        );
    }
    let names: Vec<_> = std::fs::read_dir(&folder).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 2, "only the newest two are kept: {names:?}");
    schedule.abort();
}

#[tokio::test]
async fn backup_settings_refuse_a_relative_or_unwritable_folder_and_agents_cannot_back_up() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(START));
    let desk = open(&dir.path().join("desk"), &clock);
    let (admin, _) = set_up(&desk).await;
    let refuse = |folder: &str| BackupSettings { folder: folder.into(), daily: false, keep: 7 };
    let err = desk.update_backup_settings(&admin, refuse("backups")).await.unwrap_err().to_string();
    assert!(err.contains("not a full path"), "{err}");
    let file_in_the_way = dir.path().join("a-file");
    std::fs::write(&file_in_the_way, b"x").unwrap();
    let err = desk
        .update_backup_settings(&admin, refuse(&file_in_the_way.join("sub").display().to_string()))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("cannot write backups in"), "{err}");
    // Backing up before a folder is chosen says what to do.
    assert!(
        matches!(desk.start_backup(&admin).await, Err(EngineError::Conflict(m)) if m.contains("choose a backup folder"))
    );
    let agent = Agent { role: frontdesk_domain::Role::Agent, ..admin.clone() };
    assert!(matches!(desk.backup_status(&agent), Err(EngineError::AdminOnly(_))));
}
