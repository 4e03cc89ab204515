//! Search through the engine: the indexer on a real store and a real index folder.

mod common;

use frontdesk_domain::conversation::Status;
use frontdesk_domain::inbox::MessageKind;
use frontdesk_domain::{Id, Role, Timestamp};
use frontdesk_engine::{ContactRef, Desk, EngineError, ManualClock, SearchRequest, StatusRequest};
use std::sync::Arc;
use std::time::{Duration, Instant};

const START: Timestamp = Timestamp(1_800_007_200_000);

use common::{open, set_up_with_inbox as set_up};

async fn customer(desk: &Desk, inbox: Id, email: &str, language: &str, text: &str) -> Id {
    let who = ContactRef { email: Some(email.into()), language: Some(language.into()), ..Default::default() };
    desk.customer_message(inbox, who, text).await.unwrap().conversation.id
}

fn numbers(desk: &Desk, q: &str) -> Vec<u64> {
    let found = desk.search(&SearchRequest { q: q.into(), ..Default::default() }).unwrap();
    found.items.iter().map(|h| h.conversation.number).collect()
}

/// Polls until `q` finds exactly `want`, for at most 5 s; how long it took.
async fn until_found(desk: &Desk, q: &str, want: &[u64]) -> Duration {
    let started = Instant::now();
    loop {
        if matches!(desk.search(&SearchRequest { q: q.into(), ..Default::default() }), Ok(r) if r.items.iter().map(|h| h.conversation.number).collect::<Vec<_>>() == want)
        {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "'{q}' never found {want:?}: {:?}",
            desk.search(&SearchRequest { q: q.into(), ..Default::default() }).map(|r| r.items.len())
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn a_message_is_found_within_the_commit_interval_after_it_is_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(START));
    let desk = open(dir.path(), &clock);
    tokio::spawn(desk.clone().run_indexer());
    let (admin, inbox) = set_up(&desk).await;
    let first = customer(&desk, inbox, "ana@example.com", "es", "Hola, quiero la cancelación del pedido A-10423").await;
    let took = until_found(&desk, "cancelacion", &[1]).await;
    assert!(took < Duration::from_secs(2), "found only after {took:?}");
    // An agent's reply and the customer's email are searchable as well.
    desk.agent_message(&admin, first, "Le enviamos el reembolso hoy", false).await.unwrap();
    until_found(&desk, "reembolsos ", &[1]).await;
    until_found(&desk, "ana@exa", &[1]).await;
    until_found(&desk, "10423", &[1]).await;
    let hit = &desk.search(&SearchRequest { q: "reembolsos".into(), ..Default::default() }).unwrap().items[0];
    let snippet = hit.snippet.as_ref().expect("a snippet from the matching message");
    assert_eq!(snippet.kind, MessageKind::Outgoing);
    let marked: String =
        snippet.parts.iter().map(|p| if p.hit { format!("[{}]", p.text) } else { p.text.clone() }).collect();
    assert_eq!(marked, "Le enviamos el [reembolso] hoy");
}

#[tokio::test]
async fn status_and_assignee_changes_reach_the_filters_and_a_deleted_message_disappears() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(START));
    let desk = open(dir.path(), &clock);
    tokio::spawn(desk.clone().run_indexer());
    let (admin, inbox) = set_up(&desk).await;
    let a = customer(&desk, inbox, "a@example.com", "en", "My card number is 4111 1111").await;
    let _b = customer(&desk, inbox, "b@example.com", "en", "Refund my card please").await;
    desk.change_status(&admin, a, StatusRequest::Open).await.unwrap();
    let open_only = |desk: &Desk| {
        let r = desk.search(&SearchRequest { q: "card".into(), status: vec![Status::Open], ..Default::default() });
        r.unwrap().items.iter().map(|h| h.conversation.number).collect::<Vec<_>>()
    };
    desk.search_caught_up().await.unwrap();
    assert_eq!(open_only(&desk), vec![1]);
    let mine = desk
        .search(&SearchRequest { q: "card".into(), assignee: Some(admin.id.to_string()), ..Default::default() })
        .unwrap();
    assert_eq!(mine.items.iter().map(|h| h.conversation.number).collect::<Vec<_>>(), vec![1], "opening assigned it");

    let deleted = desk.delete_message(&admin, a, 1).await.unwrap();
    assert!(deleted.deleted && deleted.content.is_empty());
    until_found(&desk, "4111", &[]).await;
    assert_eq!(numbers(&desk, "card"), vec![2]);
    let history = desk.messages(a, 0, 10, false).unwrap();
    assert!(history[0].deleted);
    assert_eq!(history.last().unwrap().kind, MessageKind::Activity);
    assert!(history.last().unwrap().content.contains("deleted a message"));
}

#[tokio::test]
async fn only_admins_delete_what_others_wrote_and_nothing_is_deleted_twice() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(START));
    let desk = open(dir.path(), &clock);
    let (admin, inbox) = set_up(&desk).await;
    let invitation = desk.invite_agent(&admin, "Bo", "bo@acme.test", Role::Agent).await.unwrap();
    let bo = desk.accept_invitation(&invitation.token, "a long enough password".into()).await.unwrap().agent;
    let c = customer(&desk, inbox, "a@example.com", "en", "hello").await;
    desk.agent_message(&admin, c, "note from the admin", true).await.unwrap();
    let refused = desk.delete_message(&bo, c, 1).await.unwrap_err();
    assert!(matches!(refused, EngineError::AdminOnly(_)), "{refused}");
    assert!(matches!(desk.delete_message(&bo, c, 2).await, Err(EngineError::AdminOnly(_))));
    desk.delete_message(&admin, c, 2).await.unwrap();
    assert!(matches!(desk.delete_message(&admin, c, 2).await, Err(EngineError::Conflict(_))));
    let activity = desk.messages(c, 0, 10, false).unwrap().last().unwrap().seq;
    assert!(matches!(desk.delete_message(&admin, c, activity).await, Err(EngineError::Conflict(_))));
    assert!(matches!(desk.delete_message(&admin, c, 99).await, Err(EngineError::NotFound(_))));
}

#[tokio::test]
async fn the_index_catches_up_after_a_stop_and_a_rebuilt_index_gives_the_same_results() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(START));
    let queries = ["refund", "reembolso", "rimborso", "\"never arrived\"", "1042", "#3", "c3@ex", "cancelacion"];
    let incremental = {
        let desk = open(dir.path(), &clock);
        let indexer = tokio::spawn(desk.clone().run_indexer());
        let (admin, inbox) = set_up(&desk).await;
        let minute = Duration::from_secs(60);
        customer(&desk, inbox, "c1@example.com", "en", "My order 10423 never arrived, I want a refund").await;
        clock.advance(minute);
        customer(&desk, inbox, "c2@example.com", "es", "Quiero un reembolso por la cancelación").await;
        clock.advance(minute);
        let c3 = customer(&desk, inbox, "c3@example.com", "it", "Vorrei un rimborso").await;
        clock.advance(minute);
        desk.agent_message(&admin, c3, "Refund sent", false).await.unwrap();
        desk.search_caught_up().await.unwrap();
        // Stopped before the next messages are indexed, as by a crash: the index is behind.
        indexer.abort();
        let _ = indexer.await;
        clock.advance(minute);
        customer(&desk, inbox, "c4@example.com", "en", "refund for order 10425 too").await;
        desk.delete_message(&admin, c3, 1).await.unwrap();
        desk.flush().unwrap();
        drop(desk);
        let desk = open(dir.path(), &clock);
        let indexer = tokio::spawn(desk.clone().run_indexer());
        desk.search_caught_up().await.unwrap();
        assert_eq!(numbers(&desk, "10425"), vec![4], "caught up with what came while it was down");
        assert_eq!(numbers(&desk, "rimborso"), Vec::<u64>::new(), "and with the deletion");
        let found = queries.map(|q| numbers(&desk, q));
        // The indexer holds the desk (and the store's lock) until it stops.
        indexer.abort();
        let _ = indexer.await;
        found
    };
    std::fs::remove_dir_all(dir.path().join("search")).unwrap();
    let desk = open(dir.path(), &clock);
    tokio::spawn(desk.clone().run_indexer());
    desk.search_caught_up().await.unwrap();
    let rebuilt = queries.map(|q| numbers(&desk, q));
    assert_eq!(rebuilt, incremental);
    assert_eq!(incremental[0], vec![4, 3, 1], "refund: newest first");
    assert_eq!(incremental[4], vec![4, 1]);
}

#[tokio::test]
async fn bad_search_input_is_refused_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(START));
    let desk = open(dir.path(), &clock);
    tokio::spawn(desk.clone().run_indexer());
    desk.search_caught_up().await.unwrap();
    let refused = |r: SearchRequest| desk.search(&r).unwrap_err().to_string();
    assert!(refused(SearchRequest { order: Some("oldest".into()), ..Default::default() }).contains("newest, relevance"));
    assert!(refused(SearchRequest { cursor: Some("x".into()), ..Default::default() }).contains("next_cursor"));
    assert!(refused(SearchRequest { assignee: Some("ana".into()), ..Default::default() }).contains("none"));
    let backwards = SearchRequest { from: Some(Timestamp(10)), to: Some(Timestamp(5)), ..Default::default() };
    assert!(refused(backwards).contains("after its end"));
}

/// The nice value of each of this process's threads with this name (Linux's /proc; names are cut to
/// 15 bytes there).
#[cfg(target_os = "linux")]
fn nice_of_threads(name: &str) -> Vec<i64> {
    let mut found = Vec::new();
    for task in std::fs::read_dir("/proc/self/task").unwrap().flatten() {
        let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else { continue };
        // "tid (comm) state ppid ...": the nice value is the 19th field, the 17th after comm.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else { continue };
        if &stat[open + 1..close] == name {
            found.push(stat[close + 1..].split_whitespace().nth(16).unwrap().parse().unwrap());
        }
    }
    found
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn indexing_runs_below_the_desk_s_priority_so_it_never_holds_up_acknowledgements() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(START));
    let desk = open(dir.path(), &clock);
    tokio::spawn(desk.clone().run_indexer());
    let (_admin, inbox) = set_up(&desk).await;
    customer(&desk, inbox, "ana@example.com", "en", "Where is my parcel?").await;
    until_found(&desk, "parcel", &[1]).await;
    // Tantivy's indexing thread is started from the indexer's thread and inherits its priority.
    for name in ["search-indexer", "thrd-tantivy-in"] {
        let nice = nice_of_threads(name);
        assert!(!nice.is_empty(), "no thread named {name}");
        assert!(nice.iter().all(|n| *n == 10), "{name} runs at nice {nice:?}, not 10");
    }
    let committer = nice_of_threads("frontdesk-commi");
    assert!(!committer.is_empty() && committer.iter().all(|n| *n == 0), "the committer runs at nice {committer:?}");
}
