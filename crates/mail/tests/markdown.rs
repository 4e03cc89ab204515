//! The email's markdown renderer against the corpus shared with `ui/src/lib/markdown.ts`
//! (`tests/data/markdown.json`): the same HTML for every message, only the subset's tags, only
//! safe links; and a transcript holding hostile messages carries none of their markup.

use frontdesk_domain::inbox::{Message, MessageKind};
use frontdesk_domain::{Id, Timestamp};
use frontdesk_mail::markdown::{is_safe_url, parse, render_html, Block, Inline};
use frontdesk_mail::transcript::{render, Language, TranscriptInput};
use std::time::{Duration, Instant};

struct Case {
    name: String,
    hostile: bool,
    input: String,
    html: String,
}

fn corpus() -> Vec<Case> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/markdown.json");
    let raw = std::fs::read_to_string(path).expect("the shared corpus tests/data/markdown.json");
    let json: serde_json::Value = serde_json::from_str(&raw).expect("the corpus is JSON");
    let field = |case: &serde_json::Value, key: &str| case[key].as_str().expect(key).to_string();
    json["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|case| Case {
            name: field(case, "name"),
            hostile: case["hostile"].as_bool().expect("hostile"),
            input: field(case, "input"),
            html: field(case, "html"),
        })
        .collect()
}

const LINK_TAIL: &str = "\" target=\"_blank\" rel=\"noopener noreferrer nofollow\">";
const PLAIN_TAGS: [&str; 9] = ["p", "br", "strong", "em", "code", "ul", "ol", "li", "a"];

/// Whether `href` starts with http(s):// or mailto: in any case.
fn safe_scheme(href: &str) -> bool {
    let lower = href.to_ascii_lowercase();
    ["https://", "http://", "mailto:"].iter().any(|s| lower.starts_with(s) && lower.len() > s.len())
}

/// Every tag of `html`, checked to be one the subset makes with only the attributes it sets;
/// the text between tags must hold no `>` or `"` (they would be escaped).
fn check_safe(html: &str, what: &str) {
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        let text = &rest[..open];
        assert!(!text.contains('>') && !text.contains('"'), "{what}: unescaped text {text:?} in {html}");
        let close =
            rest[open..].find('>').map(|k| open + k).unwrap_or_else(|| panic!("{what}: unclosed tag in {html}"));
        let tag = &rest[open..=close];
        let name = tag.trim_start_matches('<').trim_start_matches('/').trim_end_matches('>');
        if let Some(href) = tag.strip_prefix("<a href=\"").and_then(|t| t.strip_suffix(LINK_TAIL)) {
            assert!(safe_scheme(href), "{what}: link to {href:?}");
            assert!(
                !href.chars().any(|c| matches!(c, '"' | '\'' | '<' | '>' | '`') || c.is_whitespace()),
                "{what}: address {href:?} could leave its attribute"
            );
            let lower = href.to_ascii_lowercase();
            assert!(!lower.starts_with("javascript:") && !lower.starts_with("data:"), "{what}: {href}");
        } else {
            assert!(PLAIN_TAGS.contains(&name), "{what}: tag {tag} in {html}");
        }
        for attribute in tag.split_whitespace().skip(1) {
            assert!(!attribute.to_ascii_lowercase().starts_with("on"), "{what}: attribute {attribute} in {tag}");
        }
        rest = &rest[close + 1..];
    }
    assert!(!rest.contains('>') && !rest.contains('"'), "{what}: unescaped text {rest:?} in {html}");
}

#[test]
fn every_corpus_message_gives_the_same_html_as_the_agent_app_with_only_allowed_tags_and_safe_links() {
    let cases = corpus();
    let hostile = cases.iter().filter(|c| c.hostile).count();
    assert!(hostile >= 50, "the corpus holds {hostile} hostile messages, at least 50 are wanted");
    let mut wrong = Vec::new();
    for case in &cases {
        let html = render_html(&case.input);
        check_safe(&html, &case.name);
        if html != case.html {
            wrong.push(format!("{}\n  input: {:?}\n  want:  {}\n  got:   {html}", case.name, case.input, case.html));
        }
    }
    assert!(wrong.is_empty(), "{} of {} cases differ:\n{}", wrong.len(), cases.len(), wrong.join("\n"));
}

#[test]
fn only_http_and_mailto_addresses_with_nothing_that_could_leave_an_attribute_are_links() {
    for url in ["https://a.test/", "HTTP://A.TEST", "mailto:ana@acme.test", "https://acme.test/café"] {
        assert!(is_safe_url(url), "{url} should be a link");
    }
    for url in [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "data:text/html,x",
        "//evil.test",
        "https://",
        "https://a.test/\"x",
        "https://a.test/'x",
        "https://a.test/<x",
        "https://a.test/ x",
        "https://a.test/\u{200b}x",
        "https://a.test/\u{202e}x",
        "\u{ff48}ttps://a.test/",
    ] {
        assert!(!is_safe_url(url), "{url:?} must not be a link");
    }
}

#[test]
fn a_link_keeps_its_text_plain_and_lines_split_on_every_kind_of_line_end() {
    assert_eq!(
        parse("[https://a.test/x](https://b.test/)"),
        vec![Block::Paragraph(vec![Inline::Link { href: "https://b.test/".into(), text: "https://a.test/x".into() }])]
    );
    assert_eq!(
        render_html("one\r\ntwo\rthree\n\n- a\r\n- b"),
        "<p>one<br>two<br>three</p><ul><li>a</li><li>b</li></ul>"
    );
}

#[test]
fn long_runs_of_markers_stay_linear() {
    let started = Instant::now();
    let brackets = "[".repeat(20_000);
    assert_eq!(render_html(&brackets), format!("<p>{brackets}</p>"));
    // Every `[` meets the same `](` before an address that turns out unsafe at its far end.
    let a = "a".repeat(50_000);
    let brackets = "[".repeat(50_000);
    let link =
        format!("<a href=\"https://{a}\" target=\"_blank\" rel=\"noopener noreferrer nofollow\">https://{a}</a>");
    assert_eq!(render_html(&format!("{brackets}](https://{a}\")")), format!("<p>{brackets}]({link}&quot;)</p>"));
    let stars = "*_".repeat(20_000);
    check_safe(&render_html(&stars), "stars");
    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
}

fn message(seq: u64, kind: MessageKind, content: &str) -> Message {
    Message {
        conversation: Id(1),
        seq,
        kind,
        author: (kind == MessageKind::Outgoing).then_some(Id(7)),
        content: content.into(),
        created_at: Timestamp(1_800_000_000_000 + seq as i64 * 60_000),
        mentions: vec![],
        attachments: vec![],
        deleted: false,
        activity: None,
    }
}

/// The parts of `html` between `<` and `>`.
fn tags(html: &str) -> Vec<&str> {
    html.split('<').skip(1).map(|t| t.split('>').next().unwrap_or(t)).collect()
}

#[test]
fn a_transcript_draws_messages_in_the_subset_and_carries_none_of_a_hostile_messages_markup() {
    let hostile_link = "[t](https://a/(https://b/\"onmouseover=\"alert(1)\"//)";
    let messages = [
        message(1, MessageKind::Incoming, hostile_link),
        message(2, MessageKind::Incoming, "<img src=x onerror=alert(1)>"),
        message(3, MessageKind::Outgoing, "See **the** [guide](https://acme.test/guide):\n- step *one*\n- step two"),
    ];
    let zone = jiff::tz::TimeZone::get("Europe/Rome").expect("zone");
    let names = |_: Id| "Ana".to_string();
    let t = render(&TranscriptInput {
        business_name: "Acme",
        number: 1042,
        language: Language::English,
        time_zone: &zone,
        messages: &messages,
        agent_name: &names,
        desk_url: "",
    });
    assert!(!t.html.contains("<img"), "{}", t.html);
    for tag in tags(&t.html) {
        assert!(!tag.contains("onmouseover=") && !tag.contains("onerror="), "<{tag}> in {}", t.html);
    }
    assert!(t.html.contains("&lt;img src=x onerror=alert(1)&gt;"), "shown as text: {}", t.html);
    assert!(
        t.html.contains(
            "See <strong>the</strong> <a href=\"https://acme.test/guide\" target=\"_blank\" \
             rel=\"noopener noreferrer nofollow\">guide</a>:</p><ul><li>step <em>one</em></li><li>step two</li></ul>"
        ),
        "{}",
        t.html
    );
    assert!(!t.html.contains("pre-wrap"), "the cell's lines are the renderer's: {}", t.html);
    // The plain-text part keeps every message as written.
    for m in &messages {
        assert!(t.text.contains(&m.content), "{:?} in {}", m.content, t.text);
    }
}
