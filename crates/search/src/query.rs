//! From what an agent types (and the filters they pick) to a tantivy query.
//!
//! Every word or quoted phrase must match somewhere: the text (in each language's field, so
//! each is stemmed its own way), the contact, or, for `#1042` or `1042`, the conversation
//! number. Words with digits, `@` or dots (order numbers, emails) and the word still being typed
//! also match as prefixes.

use crate::pairs::pair;
use crate::schema::{analyzer, plain_analyzer, Fields, Language};
use frontdesk_domain::conversation::Status;
use frontdesk_domain::{Id, Timestamp};
use std::ops::Bound;
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, Occur, PhrasePrefixQuery, PhraseQuery, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::Term;

/// More than this many words or phrases are left out: nobody types them, and each costs.
pub const MAX_PARTS: usize = 12;
/// A prefix shorter than this would match too many words to be of use.
pub(crate) const MIN_PREFIX_CHARS: usize = 2;
/// Words a begun word may stand for: enough for every order number with a 4-digit start.
const MAX_EXPANSIONS: u32 = 200;

/// One thing the conversation must contain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Word(String),
    /// Words in quotes: all of them, in this order.
    Phrase(String),
}

/// What an agent typed, split into words and quoted phrases.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Parsed {
    pub parts: Vec<Part>,
    /// The last word is still being typed (no space after it yet): it matches as a prefix too.
    pub last_is_prefix: bool,
}

impl Parsed {
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }
}

/// Splits typed text into words and "quoted phrases" (an unclosed quote runs to the end).
pub fn parse(text: &str) -> Parsed {
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| !c.is_whitespace()) {
        rest = &rest[start..];
        if let Some(inner) = rest.strip_prefix('"') {
            let end = inner.find('"').unwrap_or(inner.len());
            let phrase = inner[..end].trim();
            if !phrase.is_empty() {
                parts.push(Part::Phrase(phrase.to_string()));
            }
            rest = inner.get(end + 1..).unwrap_or("");
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            parts.push(Part::Word(rest[..end].to_string()));
            rest = &rest[end..];
        }
    }
    parts.truncate(MAX_PARTS);
    let last_is_prefix = matches!(parts.last(), Some(Part::Word(_))) && !text.ends_with(char::is_whitespace);
    Parsed { parts, last_is_prefix }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeFilter {
    Agent(Id),
    Unassigned,
}

/// What the results are narrowed to; every field given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// Any of these (none: any status).
    pub statuses: Vec<Status>,
    pub inbox: Option<Id>,
    pub assignee: Option<AssigneeFilter>,
    pub label: Option<String>,
    /// Active on or after (its last activity).
    pub from: Option<Timestamp>,
    /// Started on or before.
    pub to: Option<Timestamp>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    /// Latest activity first.
    #[default]
    Newest,
    /// Best match first (BM25).
    Relevance,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub parsed: Parsed,
    pub filters: Filters,
    pub order: Order,
    pub offset: usize,
    pub limit: usize,
}

pub(crate) fn build(f: &Fields, request: &Request) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let count = request.parsed.parts.len();
    for (i, part) in request.parsed.parts.iter().enumerate() {
        let prefix = request.parsed.last_is_prefix && i + 1 == count;
        let alternatives = match part {
            Part::Word(word) => word_alternatives(f, word, prefix),
            Part::Phrase(phrase) => phrase_alternatives(f, phrase),
        };
        // A "word" of punctuation alone matches nothing and is left out, not failed.
        if !alternatives.is_empty() {
            clauses.push((Occur::Must, Box::new(BooleanQuery::union(alternatives))));
        }
    }
    for filter in filter_queries(f, &request.filters) {
        clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(filter, 0.0))));
    }
    if clauses.is_empty() {
        return Box::new(AllQuery);
    }
    Box::new(BooleanQuery::new(clauses))
}

fn word_alternatives(f: &Fields, word: &str, typing: bool) -> Vec<Box<dyn Query>> {
    let mut out: Vec<Box<dyn Query>> = Vec::new();
    if let Ok(number) = word.trim_start_matches('#').parse::<u64>() {
        out.push(Box::new(TermQuery::new(Term::from_field_u64(f.number, number), IndexRecordOption::Basic)));
    }
    let plain = tokens(&mut plain_analyzer(), word);
    let identifier_like = word.chars().any(|c| c.is_ascii_digit() || c == '@' || c == '.');
    for language in Language::ALL {
        let words = tokens(&mut analyzer(language), word);
        out.extend(sequence(f.text(language), Some(f.pairs(language)), &words));
        if typing || identifier_like {
            // The finished words as the index holds them, the last one as typed: its stem
            // may not begin the way the typed start does.
            let mut begun = if words.len() == plain.len() { words } else { plain.clone() };
            if let (Some(last), Some(typed)) = (begun.last_mut(), plain.last()) {
                last.clone_from(typed);
            }
            out.extend(prefix(f.text(language), Some(f.pairs(language)), &begun));
        }
    }
    // Contacts match by the start of their words: "ana.lo" finds ana.lopez@example.com.
    out.extend(prefix(f.contact, None, &plain).or_else(|| sequence(f.contact, None, &plain)));
    out
}

fn phrase_alternatives(f: &Fields, phrase: &str) -> Vec<Box<dyn Query>> {
    let mut out: Vec<Box<dyn Query>> = Vec::new();
    for language in Language::ALL {
        let words = tokens(&mut analyzer(language), phrase);
        out.extend(sequence(f.text(language), Some(f.pairs(language)), &words));
    }
    out.extend(sequence(f.contact, None, &tokens(&mut plain_analyzer(), phrase)));
    out
}

fn term(field: Field, word: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, word), IndexRecordOption::WithFreqs))
}

/// The pair terms of neighbouring words: a conversation holding them all is a candidate.
fn pair_terms(pairs: Field, words: &[String]) -> Vec<Box<dyn Query>> {
    words.windows(2).map(|w| term(pairs, &pair(&w[0], &w[1]))).collect()
}

/// The words in this order (one word: that word). Two words are one pair term; more are their
/// pairs (few conversations hold them all) checked for the whole phrase.
fn sequence(field: Field, pairs: Option<Field>, words: &[String]) -> Option<Box<dyn Query>> {
    match (words, pairs) {
        ([], _) => None,
        ([word], _) => Some(term(field, word)),
        ([first, second], Some(pairs)) => Some(term(pairs, &pair(first, second))),
        (_, Some(pairs)) => {
            let mut all = pair_terms(pairs, words);
            all.push(Box::new(PhraseQuery::new(words.iter().map(|w| Term::from_field_text(field, w)).collect())));
            Some(Box::new(BooleanQuery::intersection(all)))
        }
        (_, None) => Some(Box::new(PhraseQuery::new(words.iter().map(|w| Term::from_field_text(field, w)).collect()))),
    }
}

/// The words in this order, the last one only begun.
fn prefix(field: Field, pairs: Option<Field>, words: &[String]) -> Option<Box<dyn Query>> {
    let last = words.last()?;
    if last.chars().count() < MIN_PREFIX_CHARS {
        return None;
    }
    let begun = |terms: Vec<Term>| -> Box<dyn Query> {
        let mut q = PhrasePrefixQuery::new(terms);
        q.set_max_expansions(MAX_EXPANSIONS);
        Box::new(q)
    };
    let n = words.len();
    match pairs {
        Some(pairs) if n >= 2 => {
            // The last pair's term begins with the next-to-last word and the typed start.
            let last_pair = begun(vec![Term::from_field_text(pairs, &pair(&words[n - 2], last))]);
            if n == 2 {
                return Some(last_pair);
            }
            let mut all = pair_terms(pairs, &words[..n - 1]);
            all.push(last_pair);
            all.push(begun(words.iter().map(|w| Term::from_field_text(field, w)).collect()));
            Some(Box::new(BooleanQuery::intersection(all)))
        }
        _ => Some(begun(words.iter().map(|w| Term::from_field_text(field, w)).collect())),
    }
}

pub(crate) fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

fn filter_queries(f: &Fields, filters: &Filters) -> Vec<Box<dyn Query>> {
    let mut out: Vec<Box<dyn Query>> = Vec::new();
    let term = |t: Term| -> Box<dyn Query> { Box::new(TermQuery::new(t, IndexRecordOption::Basic)) };
    if !filters.statuses.is_empty() {
        let any: Vec<Box<dyn Query>> =
            filters.statuses.iter().map(|s| term(Term::from_field_text(f.status, s.as_str()))).collect();
        out.push(Box::new(BooleanQuery::union(any)));
    }
    if let Some(inbox) = filters.inbox {
        out.push(term(Term::from_field_u64(f.inbox, inbox.0)));
    }
    match filters.assignee {
        Some(AssigneeFilter::Agent(agent)) => out.push(term(Term::from_field_u64(f.assignee, agent.0))),
        Some(AssigneeFilter::Unassigned) => out.push(term(Term::from_field_u64(f.assignee, 0))),
        None => {}
    }
    if let Some(label) = &filters.label {
        out.push(term(Term::from_field_text(f.label, label)));
    }
    if let Some(from) = filters.from {
        let from = Term::from_field_i64(f.activity, from.0);
        out.push(Box::new(RangeQuery::new(Bound::Included(from), Bound::Unbounded)));
    }
    if let Some(to) = filters.to {
        let to = Term::from_field_i64(f.created, to.0);
        out.push(Box::new(RangeQuery::new(Bound::Unbounded, Bound::Included(to))));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_text_splits_into_words_and_quoted_phrases() {
        let p = parse(r#"  refund "order 1042 late"  ana@ex"#);
        assert_eq!(
            p.parts,
            vec![Part::Word("refund".into()), Part::Phrase("order 1042 late".into()), Part::Word("ana@ex".into())]
        );
        assert!(p.last_is_prefix);
        assert!(!parse("refund ").last_is_prefix);
        assert_eq!(parse(r#""unclosed phrase"#).parts, vec![Part::Phrase("unclosed phrase".into())]);
        assert!(parse("   ").is_empty());
        assert_eq!(parse(&"w ".repeat(40)).parts.len(), MAX_PARTS);
    }
}
