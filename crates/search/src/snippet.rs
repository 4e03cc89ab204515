//! Snippets: the part of a message around what matched, with the matching words marked. Made
//! from the message as the store holds it now (the index keeps no text), so a deleted message
//! can never show up in one.

use crate::query::{tokens, Parsed, Part, MIN_PREFIX_CHARS};
use crate::schema::{analyzer, plain_analyzer, Language};
use tantivy::tokenizer::TextAnalyzer;

/// Characters of context kept before the first match.
const BEFORE: usize = 50;
/// Characters a snippet holds at most.
const LENGTH: usize = 180;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnippetPart {
    pub text: String,
    /// One of the words searched for.
    pub hit: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    pub parts: Vec<SnippetPart>,
    /// How many of the words and phrases searched for the message holds: the best message of a
    /// conversation is the one with most.
    pub matched: usize,
}

/// Cuts snippets for one search in one language: what was searched for is analyzed once, and
/// the analyzers are reused for every message looked at.
pub struct Snippets {
    /// Per part searched for: its words as the index holds them, and (for the word still being
    /// typed, or an identifier) its unstemmed forms, which match as prefixes.
    wanted: Vec<(Vec<String>, Vec<String>)>,
    analyzer: TextAnalyzer,
    plain: TextAnalyzer,
}

impl Snippets {
    pub fn new(parsed: &Parsed, language: Language) -> Snippets {
        let mut analyzer = analyzer(language);
        let mut plain = plain_analyzer();
        let wanted = parsed
            .parts
            .iter()
            .enumerate()
            .map(|(i, part)| match part {
                Part::Word(w) => {
                    let typing = parsed.last_is_prefix && i + 1 == parsed.parts.len();
                    let identifier = w.chars().any(|c| c.is_ascii_digit() || c == '@' || c == '.');
                    let mut prefixes = if typing || identifier { tokens(&mut plain, w) } else { Vec::new() };
                    prefixes.retain(|p| p.chars().count() >= MIN_PREFIX_CHARS);
                    (tokens(&mut analyzer, w), prefixes)
                }
                Part::Phrase(p) => (tokens(&mut analyzer, p), Vec::new()),
            })
            .collect();
        Snippets { wanted, analyzer, plain }
    }

    /// The snippet of `text`, or none if the message holds none of what was searched for.
    pub fn of(&mut self, text: &str) -> Option<Snippet> {
        let any_prefix = self.wanted.iter().any(|(_, prefixes)| !prefixes.is_empty());
        // The words unstemmed, for prefixes: both analyzers split alike and neither drops a
        // word the other keeps, so the n-th plain word is the n-th stemmed one's original.
        let originals = if any_prefix { tokens(&mut self.plain, text) } else { Vec::new() };
        let mut stream = self.analyzer.token_stream(text);
        let mut hits: Vec<(usize, usize)> = Vec::new();
        let mut found = vec![false; self.wanted.len()];
        let mut n = 0;
        while stream.advance() {
            let token = stream.token();
            let original = originals.get(n).map_or("", String::as_str);
            n += 1;
            let mut hit = false;
            for (i, (words, prefixes)) in self.wanted.iter().enumerate() {
                let exact = words.contains(&token.text);
                let begun = prefixes.iter().any(|p| original.starts_with(p.as_str()));
                if exact || begun {
                    found[i] = true;
                    hit = true;
                }
            }
            if hit {
                hits.push((token.offset_from, token.offset_to));
            }
        }
        let matched = found.iter().filter(|f| **f).count();
        let &(first, _) = hits.first()?;
        Some(Snippet { parts: window(text, first, &hits), matched })
    }
}

/// The snippet of `text` for what was searched, or none if the message holds none of it.
pub fn snippet(parsed: &Parsed, language: Language, text: &str) -> Option<Snippet> {
    Snippets::new(parsed, language).of(text)
}

/// The text around `first`, cut at character boundaries, split into plain and hit parts.
fn window(text: &str, first: usize, hits: &[(usize, usize)]) -> Vec<SnippetPart> {
    let start = back_chars(text, first, BEFORE);
    // Start at a word if the cut falls inside one.
    let start =
        if start == 0 { 0 } else { text[start..first].find(char::is_whitespace).map_or(start, |i| start + i + 1) };
    let end = text[start..].char_indices().nth(LENGTH).map_or(text.len(), |(i, _)| start + i);
    let mut parts = Vec::new();
    let mut push = |s: &str, hit: bool| {
        if !s.is_empty() {
            parts.push(SnippetPart { text: s.to_string(), hit });
        }
    };
    if start > 0 {
        push("…", false);
    }
    let mut at = start;
    for &(from, to) in hits.iter().filter(|(f, t)| *f >= start && *t <= end) {
        if from > at {
            push(&spaced(&text[at..from]), false);
        }
        push(&text[from..to], true);
        at = to;
    }
    if at < end {
        push(&spaced(&text[at..end]), false);
    }
    if end < text.len() {
        push("…", false);
    }
    parts
}

/// Runs of whitespace (newlines among them) become one space, kept at the edges so words do
/// not run together.
fn spaced(s: &str) -> String {
    let inner = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let lead = if s.starts_with(char::is_whitespace) { " " } else { "" };
    let trail = if s.ends_with(char::is_whitespace) && !inner.is_empty() { " " } else { "" };
    format!("{lead}{inner}{trail}")
}

fn back_chars(text: &str, from: usize, n: usize) -> usize {
    text[..from].char_indices().rev().nth(n.saturating_sub(1)).map_or(0, |(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::parse;

    fn marked(s: &Snippet) -> String {
        s.parts.iter().map(|p| if p.hit { format!("[{}]", p.text) } else { p.text.clone() }).collect()
    }

    #[test]
    fn marks_stemmed_and_folded_matches_in_the_message() {
        let s =
            snippet(&parse("reembolso cancelacion "), Language::Spanish, "Pido los reembolsos tras la cancelación.")
                .unwrap();
        assert_eq!(marked(&s), "Pido los [reembolsos] tras la [cancelación].");
        assert_eq!(s.matched, 2);
    }

    #[test]
    fn a_long_message_is_cut_around_the_first_match() {
        let text = format!("{} the parcel for order A-10423 never came {}", "intro ".repeat(40), "tail ".repeat(60));
        let s = snippet(&parse("1042"), Language::English, &text).unwrap();
        let m = marked(&s);
        assert!(m.starts_with("…"), "{m}");
        assert!(m.ends_with("…"), "{m}");
        assert!(m.contains("order A-[10423] never came"), "{m}");
        assert!(m.chars().count() < 200, "{m}");
    }

    #[test]
    fn no_snippet_from_a_message_without_the_words() {
        assert_eq!(snippet(&parse("refund "), Language::English, "Where is my parcel?"), None);
    }
}
