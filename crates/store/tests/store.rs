//! The store against a real sled database in a temp dir.

use frontdesk_domain::{Business, EventKind, Id, Timestamp};
use frontdesk_store::{Migration, Store, StoreConfig, StoreError, Tree, TxError, SCHEMA_VERSION};
use std::sync::atomic::{AtomicU32, Ordering};

const NOW: Timestamp = Timestamp(1_800_000_000_000);

/// Opens a store's folder with sled directly, once the previous user's background flusher has
/// let go of its lock (sled releases it a moment after the last handle is dropped).
fn open_raw(path: &std::path::Path) -> sled::Db {
    let started = std::time::Instant::now();
    loop {
        match sled::open(path) {
            Ok(db) => return db,
            Err(e) if e.to_string().contains("could not acquire lock") && started.elapsed().as_secs() < 10 => {
                std::thread::sleep(std::time::Duration::from_millis(20))
            }
            Err(e) => panic!("opening {}: {e}", path.display()),
        }
    }
}

fn note(text: &str) -> EventKind {
    EventKind::Note { text: text.into() }
}

#[tokio::test]
async fn a_write_is_readable_after_reopening_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let written = {
        let store = Store::open(dir.path(), &StoreConfig::default()).unwrap();
        let c = store
            .write::<_, (), _>(NOW, |tx| {
                tx.put_business(&Business { name: "Acme".into(), created_at: tx.now() })?;
                tx.record(None, note("hello"))
            })
            .await
            .unwrap();
        c.value
    };
    let store = Store::open(dir.path(), &StoreConfig::default()).unwrap();
    assert_eq!(store.business().unwrap().unwrap().name, "Acme");
    assert_eq!(store.events_after(None, 10).unwrap(), vec![written], "the event must survive the reopen");
}

#[tokio::test]
async fn an_aborted_command_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), &StoreConfig::default()).unwrap();
    let outcome = store
        .write(NOW, |tx| {
            tx.put_business(&Business { name: "Half done".into(), created_at: tx.now() })?;
            tx.record(None, note("should vanish"))?;
            Err::<(), _>(TxError::Abort("refused"))
        })
        .await;
    assert!(matches!(outcome, Err(TxError::Abort("refused"))));
    assert_eq!(store.business().unwrap(), None, "the record must not be written without its event");
    assert!(store.events_after(None, 10).unwrap().is_empty(), "nor the event without the record");
}

#[tokio::test]
async fn event_ids_follow_commit_order_and_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let first = {
        let store = Store::open(dir.path(), &StoreConfig::default()).unwrap();
        store.write::<_, (), _>(NOW, |tx| tx.record(None, note("a"))).await.unwrap().value
    };
    let store = Store::open(dir.path(), &StoreConfig::default()).unwrap();
    // A clock that went back an hour must still not reuse or undercut an id.
    let earlier = Timestamp(NOW.0 - 3_600_000);
    let second = store.write::<_, (), _>(earlier, |tx| tx.record(None, note("b"))).await.unwrap().value;
    assert!(second.id > first.id, "{} must follow {}", second.id, first.id);
    let page = store.events_after(Some(first.id), 10).unwrap();
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].id, second.id, "paging after an id starts right after it");
}

#[tokio::test]
async fn concurrent_writers_are_all_acknowledged_and_all_stored() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), &StoreConfig::default()).unwrap();
    let mut tasks = Vec::new();
    for w in 0..64 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for i in 0..20 {
                let c =
                    store.write::<_, (), _>(NOW, move |tx| tx.record(None, note(&format!("{w}-{i}")))).await.unwrap();
                ids.push(c.value.id);
            }
            ids
        }));
    }
    let mut acked: Vec<Id> = Vec::new();
    for t in tasks {
        acked.extend(t.await.unwrap());
    }
    drop(store);
    let store = Store::open(dir.path(), &StoreConfig::default()).unwrap();
    let stored: Vec<Id> = store.events_after(None, 10_000).unwrap().into_iter().map(|e| e.id).collect();
    acked.sort();
    assert_eq!(stored, acked, "every acknowledged write, and nothing else, is stored once");
}

#[test]
fn a_store_from_a_newer_frontdesk_is_refused_naming_both_versions() {
    let dir = tempfile::tempdir().unwrap();
    {
        let db = open_raw(dir.path());
        db.open_tree(Tree::Meta.name()).unwrap().insert(b"schema_version", &99u32.to_be_bytes()).unwrap();
        db.flush().unwrap();
    }
    let err = Store::open(dir.path(), &StoreConfig::default()).err().expect("must refuse");
    assert!(matches!(err, StoreError::NewerSchema { found: 99, supported: SCHEMA_VERSION }));
    let msg = err.to_string();
    assert!(msg.contains("schema version 99") && msg.contains(&format!("up to version {SCHEMA_VERSION}")), "{msg}");
}

#[test]
fn schema_1_view_entries_for_any_status_are_removed_and_the_rest_kept() {
    use frontdesk_domain::conversation::Status;
    use frontdesk_domain::view::View;
    use frontdesk_store::keys;
    let dir = tempfile::tempdir().unwrap();
    let at = Timestamp(1_700_000_000_000);
    let views = [View::All, View::Inbox(Id(7)), View::Label("vip".into()), View::Unassigned];
    let mut kept = Vec::new();
    {
        let db = open_raw(dir.path());
        db.open_tree(Tree::Meta.name()).unwrap().insert(b"schema_version", &1u32.to_be_bytes()).unwrap();
        let entries = db.open_tree(Tree::ViewStatusRecencyConversationid.name()).unwrap();
        for (n, view) in views.iter().enumerate() {
            let id = Id(100 + n as u64);
            // 0xFF in the recency or the id must not be taken for the status byte.
            let own = keys::view_entry(view, Some(Status::Solved), Timestamp(0), Id(u64::MAX - 0xFF));
            for k in [keys::view_entry(view, Some(Status::Open), at, id), own] {
                entries.insert(&k, b"").unwrap();
                kept.push(k);
            }
            entries.insert(keys::view_entry(view, None, at, id), b"").unwrap();
        }
        db.flush().unwrap();
    }
    let mut lines = Vec::new();
    drop(
        Store::open_with(dir.path(), &StoreConfig::default(), frontdesk_store::MIGRATIONS, &mut |l| {
            lines.push(l.to_string())
        })
        .unwrap(),
    );
    assert!(lines.iter().any(|l| l.contains("4 view entries for \"any status\" removed")), "{lines:?}");
    let db = open_raw(dir.path());
    let left: Vec<Vec<u8>> = db
        .open_tree(Tree::ViewStatusRecencyConversationid.name())
        .unwrap()
        .iter()
        .keys()
        .map(|k| k.unwrap().to_vec())
        .collect();
    kept.sort();
    assert_eq!(left, kept);
}

static STEPS_RUN: AtomicU32 = AtomicU32::new(0);

fn step_two(db: &sled::Db, _: &mut dyn FnMut(&str)) -> frontdesk_store::Result<()> {
    assert_eq!(STEPS_RUN.fetch_add(1, Ordering::SeqCst), 0, "step 2 runs first");
    db.open_tree("migrated").unwrap().insert(b"k", b"2").unwrap();
    Ok(())
}

fn step_three(db: &sled::Db, _: &mut dyn FnMut(&str)) -> frontdesk_store::Result<()> {
    assert_eq!(STEPS_RUN.fetch_add(1, Ordering::SeqCst), 1, "step 3 runs second");
    let t = db.open_tree("migrated").unwrap();
    assert_eq!(t.get(b"k").unwrap().as_deref(), Some(&b"2"[..]), "step 3 sees step 2's work");
    t.insert(b"k", b"3").unwrap();
    Ok(())
}

#[test]
fn an_older_store_is_migrated_step_by_step_with_progress_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open(dir.path(), &StoreConfig::default()).unwrap());
    let steps = [
        Migration { to: SCHEMA_VERSION + 1, name: "split names", run: step_two },
        Migration { to: SCHEMA_VERSION + 2, name: "add index", run: step_three },
    ];
    let mut lines = Vec::new();
    drop(Store::open_with(dir.path(), &StoreConfig::default(), &steps, &mut |l| lines.push(l.to_string())).unwrap());
    assert_eq!(STEPS_RUN.load(Ordering::SeqCst), 2);
    assert_eq!(lines.len(), 4, "the backup first, a line per step and a final one: {lines:?}");
    assert!(lines[0].starts_with(&format!("backing up the data folder (schema version {SCHEMA_VERSION})")));
    assert!(lines[1].contains("split names"));
    // The backup taken first holds the store as it was before any step.
    let backups: Vec<_> = std::fs::read_dir(dir.path().join("backups")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(backups.len(), 1, "{backups:?}");
    let header = frontdesk_store::backup::verify(&backups[0], &mut |_| {}).unwrap();
    assert_eq!(header.schema_version, SCHEMA_VERSION);
    let before = dir.path().join("before");
    frontdesk_store::backup::restore_into(&backups[0], &before, &mut |_| {}).unwrap();
    assert!(!open_raw(&before).tree_names().iter().any(|n| n.as_ref() == b"migrated"));

    // Opening again runs nothing, and the plain build now refuses this newer store.
    drop(Store::open_with(dir.path(), &StoreConfig::default(), &steps, &mut |_| panic!("no step may rerun")).unwrap());
    let err = Store::open(dir.path(), &StoreConfig::default()).err().expect("newer than this build");
    assert!(matches!(err, StoreError::NewerSchema { .. }));
    let db = open_raw(dir.path());
    assert_eq!(db.open_tree("migrated").unwrap().get(b"k").unwrap().as_deref(), Some(&b"3"[..]));
}

#[tokio::test]
async fn refused_commands_leave_nothing_while_their_batch_neighbours_commit() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), &StoreConfig::default()).unwrap();
    let mut tasks = Vec::new();
    for i in 0..200u32 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .write(NOW, move |tx| {
                    let event = tx.record(None, note(&format!("w{i}")))?;
                    // Every third command refuses after it has written.
                    if i % 3 == 0 {
                        return Err(TxError::Abort(i));
                    }
                    Ok(event.id)
                })
                .await
        }));
    }
    let mut kept = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            Ok(c) => kept.push(c.value),
            Err(TxError::Abort(i)) => assert_eq!(i % 3, 0, "only the refusing commands fail"),
            Err(e) => panic!("unexpected {e}"),
        }
    }
    assert_eq!(kept.len(), 133);
    let stored: Vec<Id> = store.events_after(None, 1000).unwrap().into_iter().map(|e| e.id).collect();
    kept.sort();
    assert_eq!(stored, kept, "exactly the accepted commands' writes are stored");
}

#[tokio::test]
async fn the_outbox_lists_an_email_while_it_waits_at_its_next_attempt_and_drops_it_once_sent() {
    use frontdesk_domain::email::{Attempt, EmailPurpose, EmailState, OutgoingEmail};
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), &StoreConfig::default()).unwrap();
    let purpose = EmailPurpose::Transcript { conversation: Id(77), up_to_seq: 4 };
    let email = OutgoingEmail::queue(Id(5), "<5@acme.test>".into(), "bob@x.test".into(), purpose, None, NOW);
    let queued = email.clone();
    store.write::<_, (), _>(NOW, move |tx| tx.put_email(&queued)).await.unwrap();
    assert_eq!(store.due_emails(NOW, 10).unwrap(), vec![email.clone()]);
    assert_eq!(store.next_email_due().unwrap(), Some(NOW));
    assert_eq!(store.conversation_emails(Id(77)).unwrap().len(), 1);

    let mut retrying = email.clone();
    retrying.record(Attempt::Temporary("421 try later".into()), NOW);
    let later = retrying.next_attempt_at.unwrap();
    let r = retrying.clone();
    store.write::<_, (), _>(NOW, move |tx| tx.put_email(&r)).await.unwrap();
    assert!(store.due_emails(NOW, 10).unwrap().is_empty(), "not due before its next attempt");
    assert_eq!(store.due_emails(later, 10).unwrap(), vec![retrying.clone()]);
    assert_eq!(store.check_indexes().unwrap(), Vec::<String>::new());

    let mut sent = retrying;
    sent.record(Attempt::Sent, later);
    let s = sent.clone();
    store.write::<_, (), _>(later, move |tx| tx.put_email(&s)).await.unwrap();
    assert_eq!(store.next_email_due().unwrap(), None, "a sent email is no longer due");
    let listed = store.conversation_emails(Id(77)).unwrap();
    assert_eq!(listed.iter().map(|e| e.state).collect::<Vec<_>>(), vec![EmailState::Sent]);
    assert_eq!(store.emails(None, 10).unwrap(), vec![sent]);
    assert_eq!(store.check_indexes().unwrap(), Vec::<String>::new());
}
