//! Contacts written before emails were verified (the schema-2 fixture): their emails stay on
//! show, but an index entry of theirs no longer finds them, since any of them may have been typed
//! into the widget by somebody else. The integration's next message makes a contact whose
//! verified email takes the entry over.

use frontdesk_domain::view::View;
use frontdesk_domain::{Role, Timestamp};
use frontdesk_engine::{ContactRef, Desk, ManualClock, StoreConfig};
use std::path::Path;
use std::sync::Arc;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[tokio::test]
async fn an_email_indexed_before_emails_were_verified_finds_nobody_and_the_verified_one_takes_it_over() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("desk");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema-2/store"), &data);
    let clock = Arc::new(ManualClock::new(Timestamp(1_796_117_400_000)));
    let desk = Desk::open(&data, &StoreConfig::default(), clock, &mut |_| {}).unwrap();
    let admin = desk.agents(None, 100).unwrap().into_iter().find(|a| a.role == Role::Admin).unwrap();
    let page = desk.conversations(&View::All, None, None, 100).unwrap();
    let (old, inbox) = page
        .iter()
        .map(|c| (desk.contact(c.contact).unwrap(), c.inbox))
        .find(|(contact, _)| contact.email.is_some())
        .expect("the fixture has a contact with an email");
    assert!(!old.email_verified, "a record from before the field reads as unverified");
    let email = old.email.clone().unwrap();
    assert!(desk.inboxes(&admin).unwrap().iter().any(|i| i.id == inbox));

    let who = || ContactRef { email: Some(email.clone()), ..Default::default() };
    let first = desk.customer_message(inbox, who(), "Hello again").await.unwrap();
    assert_ne!(first.conversation.contact, old.id, "the unverified entry found the old contact");
    let new = desk.contact(first.conversation.contact).unwrap();
    assert_eq!((new.email.as_deref(), new.email_verified), (Some(email.as_str()), true));
    let second = desk.customer_message(inbox, who(), "Still there?").await.unwrap();
    assert_eq!(second.conversation.contact, new.id, "the verified email finds its contact from now on");
    assert_eq!(desk.contact(old.id).unwrap().email, Some(email), "the old contact still shows its email");
}
