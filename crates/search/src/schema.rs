//! The index's schema and analyzers.

use frontdesk_domain::conversation::Status;
use frontdesk_domain::{Id, Timestamp};
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STRING,
};
use tantivy::tokenizer::{AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer};
use tantivy::TantivyDocument;

use crate::pairs::PairFilter;

/// The languages the desk stems: the conversation's (its inbox's widget language, else the
/// customer's) picks the field its text goes to.
pub use frontdesk_domain::language::Language;

pub(crate) fn analyzer_name(language: Language) -> &'static str {
    match language {
        Language::English => "frontdesk_en",
        Language::Spanish => "frontdesk_es",
        Language::Italian => "frontdesk_it",
    }
}

fn pairs_name(language: Language) -> &'static str {
    match language {
        Language::English => "frontdesk_pairs_en",
        Language::Spanish => "frontdesk_pairs_es",
        Language::Italian => "frontdesk_pairs_it",
    }
}

fn stemmer(language: Language) -> Stemmer {
    Stemmer::new(match language {
        Language::English => tantivy::tokenizer::Language::English,
        Language::Spanish => tantivy::tokenizer::Language::Spanish,
        Language::Italian => tantivy::tokenizer::Language::Italian,
    })
}

/// Words as the index holds them in `language`'s text field.
pub(crate) fn analyzer(language: Language) -> TextAnalyzer {
    // Folded before stemming, so `cancelación` and `cancelacion` stem alike.
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(stemmer(language))
        .build()
}

/// The same words' neighbouring pairs.
fn pairs_analyzer(language: Language) -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(stemmer(language))
        .filter(PairFilter)
        .build()
}

/// Words as typed, lower-cased and folded but not stemmed: contacts, and prefixes.
pub(crate) const PLAIN: &str = "frontdesk_plain";

pub(crate) fn plain_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// What the index holds of one conversation.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub conversation: Id,
    pub number: u64,
    pub inbox: Id,
    pub status: Status,
    pub assignee: Option<Id>,
    pub labels: Vec<String>,
    pub language: Language,
    /// The contact's name, email and identifier, those it has.
    pub contact: Vec<String>,
    pub created_at: Timestamp,
    pub last_activity_at: Timestamp,
    /// Every message a person wrote (customer, agent, private note); never a deleted one.
    pub messages: Vec<String>,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub conversation: Field,
    pub number: Field,
    pub inbox: Field,
    pub status: Field,
    pub assignee: Field,
    pub label: Field,
    pub contact: Field,
    pub created: Field,
    pub activity: Field,
    /// English, Spanish, Italian text, in `Language::ALL` order.
    pub text: [Field; 3],
    /// The same text's neighbouring word pairs, for phrases.
    pub pairs: [Field; 3],
}

fn nth(language: Language) -> usize {
    Language::ALL.iter().position(|l| *l == language).unwrap_or(0)
}

impl Fields {
    pub fn text(&self, language: Language) -> Field {
        self.text[nth(language)]
    }

    pub fn pairs(&self, language: Language) -> Field {
        self.pairs[nth(language)]
    }
}

pub(crate) fn build() -> (Schema, Fields) {
    let mut s = Schema::builder();
    let indexed = |name: &str, option: IndexRecordOption| {
        TextOptions::default()
            .set_indexing_options(TextFieldIndexing::default().set_tokenizer(name).set_index_option(option))
    };
    let text = |name: &str| indexed(name, IndexRecordOption::WithFreqsAndPositions);
    // Only whether a conversation holds a pair: no frequencies, no positions.
    let pairs = |name: &str| indexed(name, IndexRecordOption::Basic);
    let id = NumericOptions::default().set_indexed().set_fast().set_stored();
    let fields = Fields {
        conversation: s.add_u64_field("conversation", id),
        number: s.add_u64_field("number", INDEXED),
        inbox: s.add_u64_field("inbox", INDEXED),
        status: s.add_text_field("status", STRING),
        // 0: unassigned.
        assignee: s.add_u64_field("assignee", INDEXED),
        label: s.add_text_field("label", STRING),
        contact: s.add_text_field("contact", text(PLAIN)),
        created: s.add_i64_field("created", INDEXED),
        activity: s.add_i64_field("activity", INDEXED | FAST),
        text: [
            s.add_text_field("text_en", text(analyzer_name(Language::English))),
            s.add_text_field("text_es", text(analyzer_name(Language::Spanish))),
            s.add_text_field("text_it", text(analyzer_name(Language::Italian))),
        ],
        pairs: [
            s.add_text_field("pairs_en", pairs(pairs_name(Language::English))),
            s.add_text_field("pairs_es", pairs(pairs_name(Language::Spanish))),
            s.add_text_field("pairs_it", pairs(pairs_name(Language::Italian))),
        ],
    };
    (s.build(), fields)
}

pub(crate) fn register_analyzers(index: &tantivy::Index) {
    for language in Language::ALL {
        index.tokenizers().register(analyzer_name(language), analyzer(language));
        index.tokenizers().register(pairs_name(language), pairs_analyzer(language));
    }
    index.tokenizers().register(PLAIN, plain_analyzer());
}

pub(crate) fn to_tantivy(f: &Fields, d: &Document) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_u64(f.conversation, d.conversation.0);
    doc.add_u64(f.number, d.number);
    doc.add_u64(f.inbox, d.inbox.0);
    doc.add_text(f.status, d.status.as_str());
    doc.add_u64(f.assignee, d.assignee.map_or(0, |a| a.0));
    for label in &d.labels {
        doc.add_text(f.label, label);
    }
    for c in &d.contact {
        doc.add_text(f.contact, c);
    }
    doc.add_i64(f.created, d.created_at.0);
    doc.add_i64(f.activity, d.last_activity_at.0);
    let (text, pairs) = (f.text(d.language), f.pairs(d.language));
    for m in &d.messages {
        doc.add_text(text, m);
        doc.add_text(pairs, m);
    }
    doc
}
