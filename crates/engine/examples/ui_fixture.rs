//! Builds the store the agent app's figures are measured on (`bench/ui.mjs`): 100,000
//! conversations of 4 messages in three inboxes, in every status, most of them Ana's, plus one
//! conversation of 1,000 messages, the newest. Ana logs in as ana@bench.test / "correct horse".
//!
//! `cargo run --release -p frontdesk-engine --example ui_fixture -- DIR [CONVERSATIONS]`

#[path = "../benches/common/mod.rs"]
mod common;

use common::{fresh_desk, mix};
use frontdesk_domain::conversation::{Status, Style};
use frontdesk_domain::inbox::{Contact, Conversation, Message, MessageKind};
use frontdesk_domain::Timestamp;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

const LONG: u64 = 1_000;
const WORDS: [&str; 16] = [
    "order", "bike", "delivery", "refund", "wheel", "invoice", "tyre", "brake", "thanks", "when", "arrive", "size",
    "colour", "return", "help", "saddle",
];

fn sentence(n: u64, seq: u64) -> String {
    let words: Vec<&str> = (0..12).map(|i| WORDS[(mix(n * 31 + seq * 7 + i) % 16) as usize]).collect();
    format!("{} #{}", words.join(" "), 10_000 + n)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().expect("usage: ui_fixture DIR [CONVERSATIONS]"));
    let total: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0);
    let (desk, store, admin) = fresh_desk(&dir).await;
    let mut inboxes = Vec::new();
    for name in ["Web", "Tienda", "Negozio"] {
        inboxes.push(common::inbox(&desk, &admin, name, Style::Messaging).await);
    }
    let ana = admin.id;
    common::import(&store, total, move |n, number, ids| {
        let r = mix(n);
        let long = n == total - 1;
        // Older conversations further back: the list's first page is the newest.
        let created_at = Timestamp(now - ((total - n) as i64) * 60_000 - 3_600_000);
        let contact = Contact {
            id: ids[0],
            name: Some(format!("Customer {n}")),
            email: Some(format!("customer{n}@example.test")),
            email_verified: true,
            identifier: None,
            language: None,
            created_at,
        };
        let status = if long {
            Status::Open
        } else {
            [Status::New, Status::Open, Status::Open, Status::Pending, Status::Solved, Status::Closed][(r % 6) as usize]
        };
        let assignee = (status != Status::New).then_some(ana);
        let count = if long { LONG } else { 4 };
        let messages: Vec<Message> = (1..=count)
            .map(|seq| Message {
                conversation: ids[1],
                seq,
                kind: if seq % 2 == 1 { MessageKind::Incoming } else { MessageKind::Outgoing },
                author: (seq % 2 == 0).then_some(ana),
                content: sentence(n, seq),
                created_at: Timestamp(created_at.0 + seq as i64 * 1_000),
                mentions: vec![],
                attachments: vec![],
                deleted: false,
                activity: None,
            })
            .collect();
        let c = Conversation {
            status,
            assignee,
            labels: if r.is_multiple_of(5) { vec!["vip".into()] } else { vec![] },
            preview: messages.last().map(|m| m.content.clone()).unwrap_or_default(),
            last_activity_at: Timestamp(created_at.0 + count as i64 * 1_000),
            last_seq: count,
            ..Conversation::start(ids[1], number, inboxes[(r % 3) as usize], ids[0], None, None, created_at)
        };
        (contact, c, messages)
    })
    .await;
    eprintln!("fixture: {total} conversations in {}", dir.display());
}
