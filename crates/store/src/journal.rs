//! The batch journal: how a batch's writes across many trees stay all-or-nothing without a sled
//! transaction. A sled 0.34 transaction reads the old value of every key it writes before it
//! writes it (measured: 37% of an auto-close drain), and holds the global write lock while it
//! commits. Instead the committer first writes the whole batch here (a few large values, then a
//! header naming them), then applies it to the trees with plain writes, then flushes once.
//!
//! sled recovers a prefix of its log (it never keeps a later write whose predecessor was lost),
//! so after a crash either the header is there, with every part, and the batch is applied again
//! in full on open (its writes are whole values, so applying twice is applying once), or no write
//! of the batch survived. The writer was never told it was durable in either case.

use crate::catalogue::{Tree, Trees};
use crate::tx::Overlay;
use crate::{Result, StoreError};

const HEADER: &[u8] = b"header";
const FORMAT_V1: u8 = 1;
/// Parts stay well under sled's inline limit (128 KiB with its default segments), so no part
/// becomes a separate blob file.
const PART_BYTES: usize = 16 * 1024;

/// A part starts with its format byte and its batch number.
const PART_PREFIX: usize = 1 + 8;

const SWITCH_TREE: u8 = 0;
const PUT: u8 = 1;
const REMOVE: u8 = 2;

/// One write of a batch, in the order applied: by tree, then key.
pub(crate) type Write<'a> = (Tree, &'a [u8], Option<&'a [u8]>);
/// A write as read back from the journal.
type OwnedWrite = (Tree, Vec<u8>, Option<Vec<u8>>);

/// The batch's writes sorted by tree and key: the order that rewrites fewest sled pages.
pub(crate) fn sorted(batch: &Overlay) -> Vec<Write<'_>> {
    let mut writes: Vec<Write<'_>> =
        batch.iter().map(|((tree, key), value)| (*tree, key.as_slice(), value.as_deref())).collect();
    writes.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    writes
}

pub(crate) struct Journal {
    tree: sled::Tree,
    /// Tells this batch's parts from leftovers of earlier, longer batches.
    last_batch: u64,
}

impl Journal {
    /// Opens the journal and applies the batch it holds if a crash cut that batch short.
    pub fn open(db: &sled::Db, trees: &Trees) -> Result<Journal> {
        let tree = trees.get(Tree::PartBatchwrites).clone();
        let mut journal = Journal { tree, last_batch: 0 };
        if let Some(header) = journal.tree.get(HEADER)? {
            let (batch, parts) = parse_header(&header)?;
            journal.last_batch = batch;
            if let Some(writes) = journal.read_parts(batch, parts)? {
                tracing::warn!(
                    "re-applying the last batch of {} writes: the store was not closed cleanly",
                    writes.len()
                );
                for (tree, key, value) in &writes {
                    apply_one(trees.get(*tree), key, value.as_deref())?;
                }
                db.flush()?;
            }
            journal.tree.remove(HEADER)?;
            db.flush()?;
        }
        Ok(journal)
    }

    /// Writes the batch's parts, then the header that makes them count.
    pub fn record(&mut self, writes: &[Write<'_>]) -> Result<()> {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        let batch = u64::try_from(now.as_nanos()).unwrap_or(u64::MAX).max(self.last_batch + 1);
        self.last_batch = batch;
        let mut parts = 0u32;
        let mut part = new_part(batch);
        let mut current: Option<Tree> = None;
        for (tree, key, value) in writes {
            if current != Some(*tree) {
                part.push(SWITCH_TREE);
                put_bytes(&mut part, tree.name().as_bytes());
                current = Some(*tree);
            }
            match value {
                Some(v) => {
                    part.push(PUT);
                    put_bytes(&mut part, key);
                    put_bytes(&mut part, v);
                }
                None => {
                    part.push(REMOVE);
                    put_bytes(&mut part, key);
                }
            }
            if part.len() >= PART_BYTES {
                self.tree.insert(parts.to_be_bytes(), std::mem::replace(&mut part, new_part(batch)))?;
                parts += 1;
                current = None;
            }
        }
        if part.len() > PART_PREFIX {
            self.tree.insert(parts.to_be_bytes(), part)?;
            parts += 1;
        }
        let mut header = vec![FORMAT_V1];
        header.extend_from_slice(&batch.to_be_bytes());
        header.extend_from_slice(&parts.to_be_bytes());
        self.tree.insert(HEADER, header)?;
        Ok(())
    }

    /// Once the last batch is applied in full and the store closes: the next open has nothing
    /// to redo (and says nothing about an unclean close).
    pub fn clear(&mut self) -> Result<()> {
        self.tree.remove(HEADER)?;
        Ok(())
    }

    /// The batch's writes, or `None` when a part is missing or belongs to another batch: then
    /// this batch was applied and flushed before a later one began overwriting its parts.
    fn read_parts(&self, batch: u64, parts: u32) -> Result<Option<Vec<OwnedWrite>>> {
        let mut writes = Vec::new();
        for n in 0..parts {
            let Some(part) = self.tree.get(n.to_be_bytes())? else { return Ok(None) };
            let (format, rest) = part.split_first().ok_or_else(|| corrupt("an empty part"))?;
            if *format != FORMAT_V1 {
                return Err(corrupt(&format!("unknown part format {format}")));
            }
            let mut r = Reader(rest);
            if r.u64()? != batch {
                return Ok(None);
            }
            let mut tree = None;
            while !r.0.is_empty() {
                match r.byte()? {
                    SWITCH_TREE => {
                        let name = r.bytes()?;
                        let found = Tree::ALL.iter().find(|t| t.name().as_bytes() == name).copied();
                        tree = Some(found.ok_or_else(|| corrupt("a write to an unknown tree"))?);
                    }
                    op @ (PUT | REMOVE) => {
                        let t = tree.ok_or_else(|| corrupt("a write before its tree"))?;
                        let key = r.bytes()?.to_vec();
                        let value = if op == PUT { Some(r.bytes()?.to_vec()) } else { None };
                        writes.push((t, key, value));
                    }
                    other => return Err(corrupt(&format!("unknown record {other}"))),
                }
            }
        }
        Ok(Some(writes))
    }
}

/// Applies one write with sled's plain insert or remove.
pub(crate) fn apply_one(tree: &sled::Tree, key: &[u8], value: Option<&[u8]>) -> Result<()> {
    match value {
        Some(v) => tree.insert(key, v)?,
        None => tree.remove(key)?,
    };
    Ok(())
}

fn new_part(batch: u64) -> Vec<u8> {
    let mut part = Vec::with_capacity(PART_BYTES + 1024);
    part.push(FORMAT_V1);
    part.extend_from_slice(&batch.to_be_bytes());
    part
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    // Keys and values are far below 4 GiB (sled keeps them in memory pages).
    out.extend_from_slice(&u32::try_from(bytes.len()).unwrap_or(u32::MAX).to_be_bytes());
    out.extend_from_slice(bytes);
}

fn parse_header(bytes: &[u8]) -> Result<(u64, u32)> {
    match bytes {
        [FORMAT_V1, rest @ ..] if rest.len() == 12 => {
            let mut r = Reader(rest);
            Ok((r.u64()?, r.u32()?))
        }
        [format, ..] => Err(corrupt(&format!(
            "the interrupted batch was written in format {format}, which this Frontdesk does not know; \
             open the data folder with the Frontdesk that wrote it"
        ))),
        [] => Err(corrupt("an empty header")),
    }
}

fn corrupt(reason: &str) -> StoreError {
    StoreError::Corrupt { tree: Tree::PartBatchwrites.name(), reason: reason.into() }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.0.len() < n {
            return Err(corrupt("a part ends early"));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn byte(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self) -> Result<u64> {
        let b = self.take(8)?;
        Ok(u64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
    }

    fn bytes(&mut self) -> Result<&'a [u8]> {
        let n = self.u32()? as usize;
        self.take(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Opened as the store opens it: sled's flusher may hold the lock a moment after a drop.
    fn open(dir: &std::path::Path) -> (sled::Db, Trees) {
        let db = crate::open_db(dir, &crate::StoreConfig::default()).unwrap();
        let trees = Trees::open(&db).unwrap();
        (db, trees)
    }

    fn overlay(entries: &[Write<'_>]) -> Overlay {
        entries.iter().map(|(t, k, v)| ((*t, k.to_vec()), v.map(<[u8]>::to_vec))).collect()
    }

    #[test]
    fn a_batch_journaled_but_not_applied_is_applied_on_open() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (db, trees) = open(dir.path());
            trees.get(Tree::TeamidTeam).insert(b"gone", b"old").unwrap();
            let mut journal = Journal::open(&db, &trees).unwrap();
            // Big enough for several parts, across three trees, with a removal.
            let big = vec![7u8; 5000];
            let mut entries: Vec<OwnedWrite> =
                (0..20u32).map(|i| (Tree::EventidEvent, i.to_be_bytes().to_vec(), Some(big.clone()))).collect();
            entries.push((Tree::Meta, b"k".to_vec(), Some(b"v".to_vec())));
            entries.push((Tree::TeamidTeam, b"gone".to_vec(), None));
            let batch: Overlay = entries.into_iter().map(|(t, k, v)| ((t, k), v)).collect();
            journal.record(&sorted(&batch)).unwrap();
            assert!(trees.get(Tree::Meta).get(b"k").unwrap().is_none(), "nothing applied before the 'crash'");
            db.flush().unwrap();
        }
        let (db, trees) = open(dir.path());
        Journal::open(&db, &trees).unwrap();
        assert_eq!(trees.get(Tree::EventidEvent).len(), 20);
        assert_eq!(trees.get(Tree::EventidEvent).get(19u32.to_be_bytes()).unwrap().unwrap().len(), 5000);
        assert_eq!(trees.get(Tree::Meta).get(b"k").unwrap().unwrap().as_ref(), b"v");
        assert!(trees.get(Tree::TeamidTeam).get(b"gone").unwrap().is_none());
        assert!(trees.get(Tree::PartBatchwrites).get(HEADER).unwrap().is_none(), "the header is cleared once done");
    }

    #[test]
    fn parts_overwritten_by_a_later_unfinished_batch_are_not_replayed() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (db, trees) = open(dir.path());
            let mut journal = Journal::open(&db, &trees).unwrap();
            journal.record(&sorted(&overlay(&[(Tree::Meta, b"first", Some(b"1"))]))).unwrap();
            // The next batch got as far as its first part: the header still names the first.
            let header = trees.get(Tree::PartBatchwrites).get(HEADER).unwrap().unwrap();
            journal.record(&sorted(&overlay(&[(Tree::Meta, b"second", Some(b"2"))]))).unwrap();
            trees.get(Tree::PartBatchwrites).insert(HEADER, header).unwrap();
            db.flush().unwrap();
        }
        let (db, trees) = open(dir.path());
        Journal::open(&db, &trees).unwrap();
        assert!(trees.get(Tree::Meta).get(b"first").unwrap().is_none());
        assert!(trees.get(Tree::Meta).get(b"second").unwrap().is_none());
    }

    #[test]
    fn a_journal_in_an_unknown_format_refuses_to_open() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (db, trees) = open(dir.path());
            trees.get(Tree::PartBatchwrites).insert(HEADER, &[9u8, 0, 0][..]).unwrap();
            db.flush().unwrap();
        }
        let (db, trees) = open(dir.path());
        let err = Journal::open(&db, &trees).err().unwrap().to_string();
        assert!(err.contains("format 9"), "{err}");
    }
}
