//! Frontdesk's full-text index of conversations (tantivy), in its own folder beside the store.
//! It owns the schema (one document per conversation: its messages' text, its contact, the
//! fields agents filter by), the analyzers per language (accents folded, stemmed), how typed
//! words become a query, and snippets. It holds nothing the store does not: the engine feeds it
//! from committed events, and it records the last event it applied so it can catch up or be
//! rebuilt at any time.

mod pairs;
mod query;
mod schema;
mod snippet;

pub use query::{parse, AssigneeFilter, Filters, Order, Parsed, Part, Request};
pub use schema::{Document, Language};
pub use snippet::{snippet, Snippet, SnippetPart, Snippets};

use frontdesk_domain::Id;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use tantivy::collector::{Count, TopDocs};
use tantivy::schema::Value;
use tantivy::{IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

/// Bumped when the schema or the analyzers change: an index of another version is rebuilt.
const INDEX_VERSION: u32 = 2;
/// The writer's memory for documents not yet written out; tantivy's minimum is 15 MB a thread.
const WRITER_MEMORY: usize = 32 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("the search index failed: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("the search index folder {path} cannot be used: {reason}")]
    Folder { path: String, reason: String },
    #[error("the search index is read-only here")]
    ReadOnly,
}

pub type Result<T, E = SearchError> = std::result::Result<T, E>;

/// The open index: one writer (the engine's indexer), any number of searches at once.
pub struct SearchIndex {
    reader: IndexReader,
    writer: Mutex<Option<IndexWriter>>,
    fields: schema::Fields,
    dir: PathBuf,
    /// The last event searches can see: set only once the reader has reloaded after a commit
    /// (the commit's own payload is on disk a moment before its documents are searchable).
    searchable_through: Mutex<Option<Id>>,
}

/// Search results: conversation ids in the order asked, and how many matched in all.
#[derive(Debug, Clone, PartialEq)]
pub struct Hits {
    pub conversations: Vec<Id>,
    pub total: usize,
}

impl SearchIndex {
    /// Opens the index in `dir`, or makes an empty one there if it is missing, unreadable or of
    /// another version. Also says whether it was made anew (so it must be filled from the store).
    pub fn open(dir: &Path) -> Result<(SearchIndex, bool)> {
        let (schema, fields) = schema::build();
        let folder_error =
            |e: std::io::Error| SearchError::Folder { path: dir.display().to_string(), reason: e.to_string() };
        std::fs::create_dir_all(dir).map_err(folder_error)?;
        let existing = tantivy::Index::open_in_dir(dir).ok().filter(|index| {
            index.schema() == schema && applied_of(index).is_some_and(|(version, _)| version == INDEX_VERSION)
        });
        let (index, fresh) = match existing {
            Some(index) => (index, false),
            None => {
                // Whatever is there is of no use: the store is the source of truth.
                std::fs::remove_dir_all(dir).map_err(folder_error)?;
                std::fs::create_dir_all(dir).map_err(folder_error)?;
                (tantivy::Index::create_in_dir(dir, schema)?, true)
            }
        };
        schema::register_analyzers(&index);
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let writer = index.writer_with_num_threads(1, WRITER_MEMORY)?;
        let through = applied_of(&index).and_then(|(_, id)| id);
        let search = SearchIndex {
            reader,
            writer: Mutex::new(Some(writer)),
            fields,
            dir: dir.to_path_buf(),
            searchable_through: Mutex::new(through),
        };
        if fresh {
            // Mark the empty index with this version, so a crash before the first fill is seen.
            search.commit(None)?;
        }
        Ok((search, fresh))
    }

    /// The last event whose changes this index holds and searches see (none: filled from
    /// nothing yet).
    pub fn applied(&self) -> Option<Id> {
        *self.searchable_through.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Puts (or replaces) a conversation's document. Seen by searches after the next `commit`.
    pub fn put(&self, doc: &Document) -> Result<()> {
        self.with_writer(|w, f| {
            w.delete_term(Term::from_field_u64(f.conversation, doc.conversation.0));
            w.add_document(schema::to_tantivy(f, doc))?;
            Ok(())
        })
    }

    /// Takes a conversation out of the index.
    pub fn remove(&self, conversation: Id) -> Result<()> {
        self.with_writer(|w, f| {
            w.delete_term(Term::from_field_u64(f.conversation, conversation.0));
            Ok(())
        })
    }

    /// Empties the index (before a rebuild); takes effect with the next `commit`.
    pub fn clear(&self) -> Result<()> {
        self.with_writer(|w, _| {
            w.delete_all_documents()?;
            Ok(())
        })
    }

    /// Makes everything put so far durable and searchable, recording `applied` as the last
    /// event it reflects.
    pub fn commit(&self, applied: Option<Id>) -> Result<()> {
        self.with_writer(|w, _| {
            let mut prepared = w.prepare_commit()?;
            let payload = match applied {
                Some(id) => format!("{INDEX_VERSION}:{}", id.0),
                None => format!("{INDEX_VERSION}:"),
            };
            prepared.set_payload(&payload);
            prepared.commit()?;
            Ok(())
        })?;
        self.reader.reload()?;
        *self.searchable_through.lock().unwrap_or_else(|p| p.into_inner()) = applied;
        Ok(())
    }

    /// The conversations matching `request`, in its order, one page.
    pub fn search(&self, request: &Request) -> Result<Hits> {
        let searcher = self.reader.searcher();
        let query = query::build(&self.fields, request);
        let page = TopDocs::with_limit(request.limit.max(1)).and_offset(request.offset);
        let (addresses, total): (Vec<tantivy::DocAddress>, usize) = match request.order {
            Order::Newest => {
                let newest = page.order_by_fast_field::<i64>("activity", tantivy::Order::Desc);
                let (top, total) = searcher.search(&query, &(newest, Count))?;
                (top.into_iter().map(|(_, a)| a).collect(), total)
            }
            Order::Relevance => {
                let (top, total) = searcher.search(&query, &(page.order_by_score(), Count))?;
                (top.into_iter().map(|(_, a)| a).collect(), total)
            }
        };
        self.hits(&searcher, addresses, total)
    }

    fn hits(&self, searcher: &tantivy::Searcher, addresses: Vec<tantivy::DocAddress>, total: usize) -> Result<Hits> {
        let mut conversations = Vec::with_capacity(addresses.len());
        for address in addresses {
            let doc: TantivyDocument = searcher.doc(address)?;
            if let Some(id) = doc.get_first(self.fields.conversation).and_then(|v| v.as_u64()) {
                conversations.push(Id(id));
            }
        }
        Ok(Hits { conversations, total })
    }

    /// How many conversations the index holds (as of the last commit).
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes of the index folder.
    pub fn size_on_disk(&self) -> u64 {
        std::fs::read_dir(&self.dir)
            .map(|entries| entries.filter_map(|e| e.ok()?.metadata().ok()).map(|m| m.len()).sum())
            .unwrap_or(0)
    }

    fn with_writer<T>(&self, f: impl FnOnce(&mut IndexWriter, &schema::Fields) -> Result<T>) -> Result<T> {
        let mut guard = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let writer = guard.as_mut().ok_or(SearchError::ReadOnly)?;
        f(writer, &self.fields)
    }
}

/// The version and last applied event recorded with the index's last commit.
fn applied_of(index: &tantivy::Index) -> Option<(u32, Option<Id>)> {
    let payload = index.load_metas().ok()?.payload?;
    let (version, id) = payload.split_once(':')?;
    let version = version.parse().ok()?;
    let id = if id.is_empty() { None } else { Some(Id(id.parse().ok()?)) };
    Some((version, id))
}
