//! The index on a real folder: what agents type finds what they mean, in each language.

use frontdesk_domain::conversation::Status;
use frontdesk_domain::{Id, Timestamp};
use frontdesk_search::{parse, AssigneeFilter, Document, Filters, Language, Order, Request, SearchIndex};

fn doc(id: u64, language: Language, messages: &[&str]) -> Document {
    Document {
        conversation: Id(id),
        number: 1000 + id,
        inbox: Id(1),
        status: Status::Open,
        assignee: None,
        labels: vec![],
        language,
        contact: vec![format!("Customer {id}")],
        created_at: Timestamp(id as i64 * 1000),
        last_activity_at: Timestamp(id as i64 * 1000),
        messages: messages.iter().map(|m| m.to_string()).collect(),
    }
}

fn find(index: &SearchIndex, typed: &str) -> Vec<u64> {
    find_with(index, typed, Filters::default(), Order::Newest)
}

fn find_with(index: &SearchIndex, typed: &str, filters: Filters, order: Order) -> Vec<u64> {
    let request = Request { parsed: parse(typed), filters, order, offset: 0, limit: 50 };
    index.search(&request).unwrap().conversations.into_iter().map(|id| id.0).collect()
}

fn fixture() -> (tempfile::TempDir, SearchIndex) {
    let dir = tempfile::tempdir().unwrap();
    let (index, fresh) = SearchIndex::open(&dir.path().join("search")).unwrap();
    assert!(fresh);
    let docs = [
        doc(1, Language::Spanish, &["Quiero la cancelación de mi pedido", "¿Cuándo llega el reembolso?"]),
        doc(2, Language::Spanish, &["Pedí dos reembolsos y no llegó ninguno"]),
        doc(3, Language::Italian, &["Vorrei la cancellazione dell'ordine", "I rimborsi arrivano?"]),
        doc(4, Language::English, &["My order A-10423 never arrived", "I want a refund"]),
        doc(5, Language::English, &["The refunds were processed", "order arrived late"]),
        doc(6, Language::English, &["Order late, never arrived"]),
    ];
    for d in &docs {
        index.put(d).unwrap();
    }
    index.commit(Some(Id(42))).unwrap();
    (dir, index)
}

#[test]
fn accents_are_folded_in_each_language() {
    let (_dir, index) = fixture();
    assert_eq!(find(&index, "cancelacion "), vec![1]);
    assert_eq!(find(&index, "cancelación "), vec![1]);
    assert_eq!(find(&index, "CANCELACIÓN "), vec![1]);
    // Italian has its own word for it, and a typed accent that the text lacks still matches.
    assert_eq!(find(&index, "cancellazióne "), vec![3]);
}

#[test]
fn words_are_stemmed_per_the_conversations_language() {
    let (_dir, index) = fixture();
    assert_eq!(find(&index, "reembolsos "), vec![2, 1], "Spanish plural finds the singular");
    assert_eq!(find(&index, "reembolso "), vec![2, 1]);
    assert_eq!(find(&index, "rimborso "), vec![3], "Italian");
    assert_eq!(find(&index, "refunds "), vec![5, 4], "English");
    assert_eq!(find(&index, "refund "), vec![5, 4]);
}

#[test]
fn quoted_phrases_need_the_words_together_in_order() {
    let (_dir, index) = fixture();
    assert_eq!(find(&index, "\"never arrived\""), vec![6, 4]);
    assert_eq!(find(&index, "\"order arrived\""), vec![5]);
    assert_eq!(find(&index, "\"arrived order\""), Vec::<u64>::new());
    // Every part must match: a word and a phrase.
    assert_eq!(find(&index, "refund \"never arrived\""), vec![4]);
}

#[test]
fn a_long_phrase_needs_all_its_words_together_and_never_spans_two_messages() {
    let dir = tempfile::tempdir().unwrap();
    let (index, _) = SearchIndex::open(dir.path()).unwrap();
    index.put(&doc(1, Language::English, &["the parcel arrived late again"])).unwrap();
    // Every neighbouring pair is here, but never the three words in a row.
    index.put(&doc(2, Language::English, &["parcel arrived today", "it arrived late"])).unwrap();
    index.put(&doc(3, Language::English, &["the parcel", "arrived late"])).unwrap();
    index.commit(None).unwrap();
    assert_eq!(find(&index, "\"parcel arrived late\""), vec![1]);
    assert_eq!(find(&index, "\"parcel arrived\""), vec![2, 1]);
    assert_eq!(find(&index, "\"the parcel arrived\""), vec![1], "not across two messages");
    assert_eq!(find(&index, "\"parcels arriving\""), vec![2, 1], "each word stemmed");
    // Unquoted words match anywhere in the conversation, the one being typed by its start.
    assert_eq!(find(&index, "parcel arrived la"), vec![3, 2, 1]);
    assert_eq!(find(&index, "parcel arrived ag"), vec![1]);
}

#[test]
fn order_numbers_emails_and_the_word_being_typed_match_by_prefix() {
    let dir = tempfile::tempdir().unwrap();
    let (index, _) = SearchIndex::open(dir.path()).unwrap();
    let mut ana = doc(1, Language::English, &["Hello"]);
    ana.contact = vec!["Ana López".into(), "ana.lopez@example.com".into()];
    index.put(&ana).unwrap();
    index.put(&doc(2, Language::English, &["My order A-10423 never arrived"])).unwrap();
    index.put(&doc(3, Language::English, &["Refund for 55123 please"])).unwrap();
    index.commit(None).unwrap();
    assert_eq!(find(&index, "1042 "), vec![2], "an order number by its start");
    assert_eq!(find(&index, "A-1042"), vec![2]);
    assert_eq!(find(&index, "ana.lo"), vec![1], "an email by its start");
    assert_eq!(find(&index, "lopez@exam"), vec![1]);
    assert_eq!(find(&index, "lopez "), vec![1], "the contact's name, accent folded");
    assert_eq!(find(&index, "refu"), vec![3], "the last word while it is typed");
    assert_eq!(find(&index, "refu "), Vec::<u64>::new(), "a finished word is a word");
    assert_eq!(find(&index, "#1003"), vec![3], "the conversation number");
}

#[test]
fn filters_narrow_and_orders_sort() {
    let dir = tempfile::tempdir().unwrap();
    let (index, _) = SearchIndex::open(dir.path()).unwrap();
    let mut a = doc(1, Language::English, &["refund please"]);
    a.status = Status::Solved;
    a.assignee = Some(Id(7));
    a.labels = vec!["billing".into()];
    let mut b = doc(2, Language::English, &["refund refund refund please"]);
    b.inbox = Id(2);
    let mut c = doc(3, Language::English, &["where is my refund"]);
    c.labels = vec!["billing".into(), "vip".into()];
    for d in [&a, &b, &c] {
        index.put(d).unwrap();
    }
    index.commit(None).unwrap();
    let f = |filters: Filters| find_with(&index, "refund ", filters, Order::Newest);
    assert_eq!(f(Filters::default()), vec![3, 2, 1]);
    assert_eq!(f(Filters { statuses: vec![Status::Solved, Status::Closed], ..Default::default() }), vec![1]);
    assert_eq!(f(Filters { inbox: Some(Id(2)), ..Default::default() }), vec![2]);
    assert_eq!(f(Filters { assignee: Some(AssigneeFilter::Agent(Id(7))), ..Default::default() }), vec![1]);
    assert_eq!(f(Filters { assignee: Some(AssigneeFilter::Unassigned), ..Default::default() }), vec![3, 2]);
    assert_eq!(f(Filters { label: Some("billing".into()), ..Default::default() }), vec![3, 1]);
    assert_eq!(f(Filters { from: Some(Timestamp(2000)), ..Default::default() }), vec![3, 2]);
    assert_eq!(f(Filters { to: Some(Timestamp(2000)), ..Default::default() }), vec![2, 1]);
    assert_eq!(find_with(&index, "refund ", Filters::default(), Order::Relevance)[0], 2, "most mentions first");
    // Filters alone list what they select, newest first.
    assert_eq!(
        find_with(&index, "", Filters { label: Some("vip".into()), ..Default::default() }, Order::Newest),
        vec![3]
    );
}

#[test]
fn pages_follow_each_other_without_gaps_or_repeats() {
    let dir = tempfile::tempdir().unwrap();
    let (index, _) = SearchIndex::open(dir.path()).unwrap();
    for id in 1..=25 {
        index.put(&doc(id, Language::English, &["refund"])).unwrap();
    }
    index.commit(None).unwrap();
    let mut seen = Vec::new();
    for offset in [0, 10, 20] {
        let r =
            Request { parsed: parse("refund"), filters: Filters::default(), order: Order::Newest, offset, limit: 10 };
        let hits = index.search(&r).unwrap();
        assert_eq!(hits.total, 25);
        seen.extend(hits.conversations.into_iter().map(|i| i.0));
    }
    assert_eq!(seen, (1..=25).rev().collect::<Vec<_>>());
}

#[test]
fn a_replaced_document_loses_its_old_words_and_a_removed_one_is_gone() {
    let (_dir, index) = fixture();
    index.put(&doc(4, Language::English, &["I want a refund"])).unwrap();
    index.remove(Id(5)).unwrap();
    index.commit(Some(Id(43))).unwrap();
    assert_eq!(find(&index, "10423 "), Vec::<u64>::new());
    assert_eq!(find(&index, "refund "), vec![4]);
}

#[test]
fn the_last_applied_event_survives_reopening_and_a_damaged_index_is_made_anew() {
    let (dir, index) = fixture();
    assert_eq!(index.applied(), Some(Id(42)));
    drop(index);
    let (index, fresh) = SearchIndex::open(&dir.path().join("search")).unwrap();
    assert!(!fresh);
    assert_eq!(index.applied(), Some(Id(42)));
    assert_eq!(find(&index, "refund "), vec![5, 4]);
    drop(index);
    std::fs::write(dir.path().join("search/meta.json"), b"{ not json").unwrap();
    let (index, fresh) = SearchIndex::open(&dir.path().join("search")).unwrap();
    assert!(fresh, "an unreadable index is rebuilt, not trusted");
    assert_eq!(index.applied(), None);
    assert!(index.is_empty());
}
