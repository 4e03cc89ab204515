//! Rendering a 1,000-message transcript (`cargo bench -p frontdesk-mail --bench transcript`):
//! p50 / p99 / max over 300 renders, with the sizes of both parts.

use frontdesk_domain::inbox::{Message, MessageKind};
use frontdesk_domain::{Id, Timestamp};
use frontdesk_mail::transcript::{render, Language, TranscriptInput};
use std::time::{Duration, Instant};

fn main() {
    // Every message public: the largest transcript 1,000 messages make.
    let kinds = [MessageKind::Incoming, MessageKind::Outgoing];
    let messages: Vec<Message> = (1..=1000u64)
        .map(|seq| Message {
            conversation: Id(1),
            seq,
            kind: kinds[(seq % 2) as usize],
            author: (seq % 2 == 1).then_some(Id(7)),
            // About 200 characters, with something to escape now and then.
            content: format!(
                "Message {seq}: {} <b>&</b> done.",
                "The parcel left the warehouse this morning; ".repeat(4)
            ),
            created_at: Timestamp(1_800_000_000_000 + seq as i64 * 30_000),
            mentions: vec![],
            attachments: vec![],
            deleted: false,
            activity: None,
        })
        .collect();
    let zone = jiff::tz::TimeZone::get("Europe/Rome").expect("zone");
    let names = |_: Id| "Ana".to_string();
    let input = TranscriptInput {
        business_name: "Acme",
        number: 1042,
        language: Language::Italian,
        time_zone: &zone,
        messages: &messages,
        agent_name: &names,
        desk_url: "https://help.acme.test",
    };
    let mut samples: Vec<Duration> = Vec::new();
    let mut sizes = (0, 0);
    for _ in 0..300 {
        let started = Instant::now();
        let t = render(&input);
        samples.push(started.elapsed());
        sizes = (t.html.len(), t.text.len());
    }
    samples.sort();
    let ms = |p: f64| samples[((samples.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1000.0;
    println!(
        "transcript of 1000 messages (all public): p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms; HTML {} KiB, text {} KiB",
        ms(0.5),
        ms(0.99),
        ms(1.0),
        sizes.0 / 1024,
        sizes.1 / 1024
    );
}
