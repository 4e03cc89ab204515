//! Backups: one file holding a consistent copy of a running store and its attachments, made
//! without stopping writers, and its restore into a fresh folder.
//!
//! Consistency without a pause: the committer records every batch it applies while a backup runs
//! (the tail) and the backup copies every tree meanwhile (the snapshot, fuzzy: a key may be read
//! before or after a batch that changes it). Restoring writes the snapshot, then replays the tail
//! in commit order, so every key ends at its value as of the last recorded batch: the store as it
//! was at one batch boundary. Writers only wait for the batch being applied when the tail starts
//! and when it stops. The batch journal is left out (its batch is in the trees or in the tail),
//! and so is the search index, which the desk rebuilds when it finds none.
//!
//! The file: `FDBACKUP`, a header (JSON: format, schema version, when, which business), an LZ4
//! frame of records, then the SHA-256 of every byte before it and `FDBKEND\n`. A restore checks
//! the checksum and the schema version before it touches anything. The checksum detects damage,
//! not forgery: it is not a signature, and a file anyone could write passes it (README says so).

use crate::catalogue::Tree;
use crate::migrate::SCHEMA_VERSION;
use crate::{keys, Result, Store, StoreError};
use frontdesk_domain::backup::BackupSettings;
use frontdesk_domain::Timestamp;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

const MAGIC: &[u8; 8] = b"FDBACKUP";
const END_MAGIC: &[u8; 8] = b"FDBKEND\n";
const TRAILER: u64 = 32 + 8;
const FORMAT: u32 = 1;
/// The default tree sled makes in every database; Frontdesk keeps nothing in it.
const SLED_DEFAULT: &[u8] = b"__sled__default";

// Record tags inside the compressed body.
const TREE: u8 = 1;
const PUT: u8 = 2;
const REMOVE: u8 = 3;
const TAIL: u8 = 4;
const FILE: u8 = 5;
const END: u8 = 6;

/// What a backup file says about itself.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BackupHeader {
    pub format: u32,
    pub schema_version: u32,
    pub created_at: Timestamp,
    pub business: Option<String>,
    /// The Frontdesk version that wrote it.
    pub written_by: String,
}

/// Where a long backup or restore is, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Progress {
    pub phase: Phase,
    pub done_bytes: u64,
    /// An estimate while copying the store (its live size is not known without reading it).
    pub total_bytes: u64,
}

pub use frontdesk_domain::backup::BackupPhase as Phase;

/// What a finished backup or restore holds.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BackupSummary {
    pub header: BackupHeader,
    /// Size of the backup file.
    pub file_bytes: u64,
    /// Keys copied from the trees.
    pub entries: u64,
    /// Writes that happened while the backup ran, replayed on restore.
    pub tail_writes: u64,
    pub attachments: u64,
}

/// The committer's side of a running backup: every batch applied is appended here.
pub(crate) type TailSlot = Arc<Mutex<Option<Tail>>>;

/// Dirty pages are pushed to disk every this many bytes of backup, so that the committer's
/// flush never waits behind gigabytes of backup data (measured: a 400 ms stall without it).
const SYNC_EVERY: u64 = 64 << 20;

pub(crate) struct Tail {
    /// Encoded batches go to a writer thread: the committer never waits for the disk here.
    chunks: Option<std::sync::mpsc::Sender<Vec<u8>>>,
    writer: Option<std::thread::JoinHandle<std::io::Result<()>>>,
    writes: u64,
}

impl Tail {
    fn start(path: &Path) -> Result<Tail> {
        let file = File::create(path).map_err(|e| io_error(path, e))?;
        let (chunks, received) = std::sync::mpsc::channel::<Vec<u8>>();
        let writer = std::thread::Builder::new()
            .name("frontdesk-backup-tail".into())
            .spawn(move || {
                let mut out = BufWriter::with_capacity(1 << 20, file);
                let mut unsynced = 0u64;
                for chunk in received {
                    out.write_all(&chunk)?;
                    unsynced += chunk.len() as u64;
                    if unsynced >= SYNC_EVERY {
                        out.flush()?;
                        out.get_ref().sync_data()?;
                        unsynced = 0;
                    }
                }
                out.flush()?;
                out.get_ref().sync_data()
            })
            .map_err(|e| StoreError::BackupIo(format!("starting the backup's writer: {e}")))?;
        Ok(Tail { chunks: Some(chunks), writer: Some(writer), writes: 0 })
    }

    /// Appends one batch's writes (on the committer thread: encoding only, no I/O).
    pub(crate) fn record(&mut self, writes: &[crate::journal::Write<'_>]) {
        let mut chunk =
            Vec::with_capacity(writes.iter().map(|(_, k, v)| 10 + k.len() + v.map_or(0, |v| v.len())).sum());
        let mut current = None;
        for (tree, key, value) in writes {
            if current != Some(*tree) {
                let _ = put_tree(&mut chunk, tree.name().as_bytes());
                current = Some(*tree);
            }
            let _ = match value {
                Some(v) => put_entry(&mut chunk, PUT, key, v),
                None => put_entry(&mut chunk, REMOVE, key, &[]),
            };
        }
        self.writes += writes.len() as u64;
        if let Some(chunks) = &self.chunks {
            // A writer that failed has stopped reading; `finish` reports its error.
            let _ = chunks.send(chunk);
        }
    }

    /// Waits for everything recorded to be in the file.
    fn finish(mut self) -> std::io::Result<u64> {
        drop(self.chunks.take());
        match self.writer.take().map(|w| w.join()) {
            Some(Ok(written)) => written.map(|()| self.writes),
            _ => Err(std::io::Error::other("the backup's writer stopped")),
        }
    }
}

impl crate::Tx<'_> {
    pub fn backup_settings<E>(&self) -> std::result::Result<Option<BackupSettings>, crate::TxError<E>> {
        self.read(Tree::Meta, keys::meta::BACKUP_SETTINGS)
    }

    pub fn put_backup_settings<E>(&mut self, settings: &BackupSettings) -> std::result::Result<(), crate::TxError<E>> {
        self.put(Tree::Meta, keys::meta::BACKUP_SETTINGS, crate::codec::encode(settings));
        Ok(())
    }
}

impl Store {
    pub fn backup_settings(&self) -> Result<Option<BackupSettings>> {
        self.get_decoded(Tree::Meta, keys::meta::BACKUP_SETTINGS)
    }

    /// Writes a consistent backup of the store, with its attachments, to `path` (first to
    /// `path.part`, renamed when complete and synced). Blocking, and long for a big store: run it
    /// off the async threads. Writers carry on meanwhile.
    pub fn backup(&self, path: &Path, now: Timestamp, progress: &mut dyn FnMut(Progress)) -> Result<BackupSummary> {
        let header = BackupHeader::of(&self.inner.db, self.business()?.map(|b| b.name), now)?;
        let tail_path = with_suffix(path, ".tail");
        let result =
            write_file(&self.inner.db, &self.inner.blobs, Some((&self.inner.tail, &tail_path)), header, path, progress);
        let _ = std::fs::remove_file(&tail_path);
        // A failed backup must not leave the committer recording.
        self.inner.tail.lock().unwrap_or_else(|p| p.into_inner()).take();
        result
    }
}

/// A backup of a store nobody is writing to (before a migration), from its open sled database.
pub(crate) fn backup_quiet(db: &sled::Db, blobs: &Path, path: &Path, now: Timestamp) -> Result<BackupSummary> {
    write_file(db, blobs, None, BackupHeader::of(db, None, now)?, path, &mut |_| {})
}

/// Writes the file to `path.part`, then syncs and renames it; removes the part on failure.
fn write_file(
    db: &sled::Db,
    blobs: &Path,
    tail: Option<(&TailSlot, &Path)>,
    header: BackupHeader,
    path: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<BackupSummary> {
    let part = with_suffix(path, ".part");
    match write_part(db, blobs, tail, header, &part, progress) {
        Ok(summary) => {
            std::fs::rename(&part, path).map_err(|e| io_error(path, e))?;
            if let Some(dir) = path.parent() {
                let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
                File::open(dir).and_then(|d| d.sync_all()).map_err(|e| io_error(dir, e))?;
            }
            Ok(summary)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&part);
            Err(e)
        }
    }
}

fn write_part(
    db: &sled::Db,
    blobs: &Path,
    tail: Option<(&TailSlot, &Path)>,
    header: BackupHeader,
    part: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<BackupSummary> {
    let fail = |e: std::io::Error| io_error(part, e);
    let file = File::create(part).map_err(fail)?;
    let mut out =
        HashingWriter { inner: BufWriter::with_capacity(1 << 20, file), hash: Sha256::new(), bytes: 0, unsynced: 0 };
    out.write_all(MAGIC).map_err(fail)?;
    let header_json = serde_json::to_vec(&header).map_err(|e| StoreError::BackupIo(e.to_string()))?;
    out.write_all(&(header_json.len() as u32).to_be_bytes()).map_err(fail)?;
    out.write_all(&header_json).map_err(fail)?;
    let mut body = lz4_flex::frame::FrameEncoder::new(out);

    // The tail starts before the first key is read.
    if let Some((slot, tail_path)) = tail {
        *slot.lock().unwrap_or_else(|p| p.into_inner()) = Some(Tail::start(tail_path)?);
    }

    let blob_list = blob_files(blobs)?;
    let blob_bytes: u64 = blob_list.iter().filter_map(|(_, p)| p.metadata().ok()).map(|m| m.len()).sum();
    let mut report = Reporter::new(Phase::Copying, estimated_live_bytes(db)? + blob_bytes);
    let mut entries = 0u64;
    for name in db.tree_names() {
        if name.as_ref() == Tree::PartBatchwrites.name().as_bytes() {
            continue;
        }
        let tree = db.open_tree(&name)?;
        if name.as_ref() == SLED_DEFAULT && tree.is_empty() {
            continue;
        }
        put_tree(&mut body, &name).map_err(fail)?;
        for kv in tree.iter() {
            let (k, v) = kv?;
            put_entry(&mut body, PUT, &k, &v).map_err(fail)?;
            entries += 1;
            report.add((k.len() + v.len()) as u64, progress);
        }
    }

    // The tail stops; what it holds goes into the file after the snapshot.
    report.phase(Phase::Finishing, progress);
    body.write_all(&[TAIL]).map_err(fail)?;
    let mut tail_writes = 0;
    if let Some((slot, tail_path)) = tail {
        let Some(recorded) = slot.lock().unwrap_or_else(|p| p.into_inner()).take() else {
            return Err(StoreError::BackupIo("the backup's record of concurrent writes went missing".into()));
        };
        tail_writes = recorded.finish().map_err(|e| io_error(tail_path, e))?;
        let mut tail_file = File::open(tail_path).map_err(|e| io_error(tail_path, e))?;
        std::io::copy(&mut tail_file, &mut body).map_err(fail)?;
    }

    // Attachments after the tail: a record only ever names a file that was already synced.
    let mut attachments = 0u64;
    for (name, path) in blob_files(blobs)? {
        let mut f = File::open(&path).map_err(|e| io_error(&path, e))?;
        let size = f.metadata().map_err(|e| io_error(&path, e))?.len();
        body.write_all(&[FILE]).map_err(fail)?;
        body.write_all(&(name.len() as u16).to_be_bytes()).map_err(fail)?;
        body.write_all(name.as_bytes()).map_err(fail)?;
        body.write_all(&size.to_be_bytes()).map_err(fail)?;
        let copied = std::io::copy(&mut (&mut f).take(size), &mut body).map_err(fail)?;
        if copied != size {
            return Err(StoreError::BackupIo(format!("{} shrank while it was copied", path.display())));
        }
        attachments += 1;
        report.add(size, progress);
    }
    body.write_all(&[END]).map_err(fail)?;
    for n in [entries, tail_writes, attachments] {
        body.write_all(&n.to_be_bytes()).map_err(fail)?;
    }
    let out = body.finish().map_err(|e| StoreError::BackupIo(format!("compressing the backup: {e}")))?;
    let digest = out.hash.finalize();
    let mut file = out.inner.into_inner().map_err(|e| io_error(part, e.into_error()))?;
    file.write_all(&digest).map_err(fail)?;
    file.write_all(END_MAGIC).map_err(fail)?;
    file.sync_all().map_err(fail)?;
    report.done(progress);
    Ok(BackupSummary { header, file_bytes: out.bytes + TRAILER, entries, tail_writes, attachments })
}

impl BackupHeader {
    fn of(db: &sled::Db, business: Option<String>, now: Timestamp) -> Result<BackupHeader> {
        Ok(BackupHeader {
            format: FORMAT,
            schema_version: crate::migrate::stored_version(db)?.unwrap_or(SCHEMA_VERSION),
            created_at: now,
            business,
            written_by: env!("CARGO_PKG_VERSION").to_string(),
        })
    }
}

/// sled's files hold each live byte about twice over (measured ~2.3× on the benchmark store),
/// so half the size on disk is the estimate of what a backup copies.
fn estimated_live_bytes(db: &sled::Db) -> Result<u64> {
    Ok(db.size_on_disk()? / 2)
}

/// Attachment files (names the desk made), skipping files still being written.
fn blob_files(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    let mut files = Vec::new();
    if !dir.exists() {
        return Ok(files);
    }
    for entry in std::fs::read_dir(dir).map_err(|e| io_error(dir, e))? {
        let entry = entry.map_err(|e| io_error(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if crate::attachments::is_blob_name(&name) && entry.file_type().map(|t| t.is_file()).unwrap_or(false) {
            files.push((name, entry.path()));
        }
    }
    files.sort();
    Ok(files)
}

/// Reads a backup file's header and checks its checksum and format, reading the whole file.
/// Refuses a file from a newer schema before reading further.
pub fn verify(path: &Path, progress: &mut dyn FnMut(Progress)) -> Result<BackupHeader> {
    let invalid = |why: &str| StoreError::BadBackup { path: path.display().to_string(), reason: why.to_string() };
    let mut file = File::open(path).map_err(|e| io_error(path, e))?;
    let size = file.metadata().map_err(|e| io_error(path, e))?.len();
    let header = read_header(&mut file, path)?;
    if header.schema_version > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema { found: header.schema_version, supported: SCHEMA_VERSION });
    }
    if size < TRAILER {
        return Err(invalid("it is cut short (no checksum at its end)"));
    }
    let mut file = File::open(path).map_err(|e| io_error(path, e))?;
    let mut hash = Sha256::new();
    let mut remaining = size - TRAILER;
    let mut report = Reporter::new(Phase::Checking, size);
    let mut buf = vec![0u8; 1 << 20];
    while remaining > 0 {
        let want = buf.len().min(usize::try_from(remaining).unwrap_or(usize::MAX));
        let n = file.read(&mut buf[..want]).map_err(|e| io_error(path, e))?;
        if n == 0 {
            return Err(invalid("it is cut short"));
        }
        hash.update(&buf[..n]);
        remaining -= n as u64;
        report.add(n as u64, progress);
    }
    let mut trailer = [0u8; TRAILER as usize];
    file.read_exact(&mut trailer).map_err(|e| io_error(path, e))?;
    if &trailer[32..] != END_MAGIC {
        return Err(invalid("it is cut short or not a Frontdesk backup (its end marker is missing)"));
    }
    if trailer[..32] != hash.finalize()[..] {
        return Err(invalid("its checksum does not match: the file is damaged"));
    }
    report.done(progress);
    Ok(header)
}

/// Writes the backup at `path` into `dir`, which must not exist yet, as a store this build can
/// open (an older schema is migrated when it is opened). Check the file with `verify` first.
pub fn restore_into(path: &Path, dir: &Path, progress: &mut dyn FnMut(Progress)) -> Result<BackupSummary> {
    let invalid = |why: String| StoreError::BadBackup { path: path.display().to_string(), reason: why };
    if dir.exists() {
        return Err(StoreError::BackupIo(format!("{} already exists; restore needs a new folder", dir.display())));
    }
    let file_bytes = std::fs::metadata(path).map_err(|e| io_error(path, e))?.len();
    let read = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let opened = File::open(path).map_err(|e| io_error(path, e))?;
    let mut file = BufReader::with_capacity(1 << 20, CountingReader { inner: opened, read: read.clone() });
    let header = read_header(&mut file, path)?;
    // A modest cache: a restore touches every page once. (sled's default of 1 GiB is not the issue;
    // its batches are: applying 10,000-write batches grew a 1,000,000-conversation restore to
    // 24 GB and the OOM killer, so every write goes in on its own.)
    let db = sled::Config::new().path(dir).cache_capacity(64 << 20).open()?;
    let blobs = dir.join("attachments");
    std::fs::create_dir_all(&blobs).map_err(|e| io_error(&blobs, e))?;
    let mut body = lz4_flex::frame::FrameDecoder::new(file);
    // Progress is the share of the file read, which the total is known for.
    let mut reported = 0u64;
    let mut report_read = |progress: &mut dyn FnMut(Progress)| {
        let done = read.load(std::sync::atomic::Ordering::Relaxed);
        if done - reported >= 4 << 20 {
            reported = done;
            progress(Progress { phase: Phase::Copying, done_bytes: done, total_bytes: file_bytes });
        }
    };
    let mut tree: Option<sled::Tree> = None;
    let mut in_tail = false;
    let (mut entries, mut tail_writes, mut attachments) = (0u64, 0u64, 0u64);
    let read_err = |e: std::io::Error| invalid(format!("it could not be read to its end: {e}"));
    loop {
        let tag = read_u8(&mut body).map_err(read_err)?;
        match tag {
            TREE => {
                let len = read_u16(&mut body).map_err(read_err)? as usize;
                let name = read_vec(&mut body, len).map_err(read_err)?;
                if name.as_slice() == Tree::PartBatchwrites.name().as_bytes() {
                    return Err(invalid("it holds the batch journal, which backups never do".into()));
                }
                tree = Some(db.open_tree(name)?);
            }
            PUT | REMOVE => {
                let t = tree.as_ref().ok_or_else(|| invalid("a write comes before any tree".into()))?;
                let key = read_len_vec(&mut body).map_err(read_err)?;
                let value = read_len_vec(&mut body).map_err(read_err)?;
                report_read(progress);
                if in_tail {
                    tail_writes += 1;
                    if tag == PUT {
                        t.insert(key, value)?;
                    } else {
                        t.remove(key)?;
                    }
                } else if tag == PUT {
                    entries += 1;
                    t.insert(key, value)?;
                } else {
                    return Err(invalid("a removal appears in the snapshot".into()));
                }
            }
            TAIL => in_tail = true,
            FILE => {
                let len = read_u16(&mut body).map_err(read_err)? as usize;
                let name = String::from_utf8(read_vec(&mut body, len).map_err(read_err)?)
                    .map_err(|_| invalid("an attachment's name is not text".into()))?;
                if !crate::attachments::is_blob_name(&name) {
                    return Err(invalid(format!("'{name}' is not an attachment name the desk makes")));
                }
                let size = read_u64(&mut body).map_err(read_err)?;
                let target = blobs.join(&name);
                let mut out = File::create(&target).map_err(|e| io_error(&target, e))?;
                let copied = std::io::copy(&mut (&mut body).take(size), &mut out).map_err(|e| io_error(&target, e))?;
                if copied != size {
                    return Err(invalid(format!("the attachment {name} is cut short")));
                }
                out.sync_all().map_err(|e| io_error(&target, e))?;
                attachments += 1;
                report_read(progress);
            }
            END => {
                let counted = [read_u64(&mut body), read_u64(&mut body), read_u64(&mut body)];
                let counted: Vec<u64> = counted.into_iter().collect::<std::io::Result<_>>().map_err(read_err)?;
                if counted != [entries, tail_writes, attachments] {
                    return Err(invalid(format!(
                        "it says it holds {counted:?} entries, writes and attachments but holds \
                         {entries}, {tail_writes} and {attachments}"
                    )));
                }
                break;
            }
            other => return Err(invalid(format!("unknown record {other}"))),
        }
    }
    db.flush()?;
    File::open(&blobs).and_then(|d| d.sync_all()).map_err(|e| io_error(&blobs, e))?;
    progress(Progress { phase: Phase::Copying, done_bytes: file_bytes, total_bytes: file_bytes });
    Ok(BackupSummary { header, file_bytes, entries, tail_writes, attachments })
}

/// Replaces the data folder `data_dir` with the backup at `path`: checks the file, refuses if a
/// Frontdesk has the folder open, builds the new folder beside it, then moves the old one aside
/// to `<data_dir>.before-restore-<time>` (returned, if there was one) and the new one in place.
pub fn restore(
    path: &Path,
    data_dir: &Path,
    now: Timestamp,
    progress: &mut dyn FnMut(Progress),
) -> Result<(BackupSummary, Option<PathBuf>)> {
    verify(path, progress)?;
    let lock = crate::InstanceLock::acquire(data_dir)?;
    let building = with_suffix(data_dir, ".restoring");
    if building.exists() {
        std::fs::remove_dir_all(&building).map_err(|e| io_error(&building, e))?;
    }
    let summary = match restore_into(path, &building, progress) {
        Ok(s) => s,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&building);
            return Err(e);
        }
    };
    let only_lock = std::fs::read_dir(data_dir)
        .map_err(|e| io_error(data_dir, e))?
        .filter_map(|e| e.ok())
        .all(|e| e.file_name() == "instance.lock");
    let aside = if only_lock {
        None
    } else {
        let stamp = now.0 / 1000;
        let aside = with_suffix(data_dir, &format!(".before-restore-{stamp}"));
        std::fs::rename(data_dir, &aside).map_err(|e| io_error(data_dir, e))?;
        Some(aside)
    };
    if aside.is_none() {
        std::fs::remove_dir_all(data_dir).map_err(|e| io_error(data_dir, e))?;
    }
    std::fs::rename(&building, data_dir).map_err(|e| io_error(&building, e))?;
    drop(lock);
    Ok((summary, aside))
}

fn read_header(file: &mut impl Read, path: &Path) -> Result<BackupHeader> {
    let invalid = |why: &str| StoreError::BadBackup { path: path.display().to_string(), reason: why.to_string() };
    let mut magic = [0u8; 8];
    file.read_exact(&mut magic).map_err(|_| invalid("it is not a Frontdesk backup (too short)"))?;
    if &magic != MAGIC {
        return Err(invalid("it is not a Frontdesk backup (it does not start with FDBACKUP)"));
    }
    let len = read_u32(file).map_err(|_| invalid("its header is cut short"))? as usize;
    if len > 1 << 20 {
        return Err(invalid("its header is too large"));
    }
    let bytes = read_vec(file, len).map_err(|_| invalid("its header is cut short"))?;
    let header: BackupHeader = serde_json::from_slice(&bytes).map_err(|e| invalid(&format!("its header: {e}")))?;
    if header.format != FORMAT {
        return Err(invalid(&format!(
            "it is in backup format {}, and this Frontdesk reads format {FORMAT}",
            header.format
        )));
    }
    Ok(header)
}

fn put_tree(out: &mut impl Write, name: &[u8]) -> std::io::Result<()> {
    out.write_all(&[TREE])?;
    out.write_all(&(name.len() as u16).to_be_bytes())?;
    out.write_all(name)
}

fn put_entry(out: &mut impl Write, tag: u8, key: &[u8], value: &[u8]) -> std::io::Result<()> {
    out.write_all(&[tag])?;
    out.write_all(&(key.len() as u32).to_be_bytes())?;
    out.write_all(key)?;
    out.write_all(&(value.len() as u32).to_be_bytes())?;
    out.write_all(value)
}

fn read_u8(r: &mut impl Read) -> std::io::Result<u8> {
    let mut b = [0u8; 1];
    r.read_exact(&mut b)?;
    Ok(b[0])
}

fn read_u16(r: &mut impl Read) -> std::io::Result<u16> {
    let mut b = [0u8; 2];
    r.read_exact(&mut b)?;
    Ok(u16::from_be_bytes(b))
}

fn read_u32(r: &mut impl Read) -> std::io::Result<u32> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b)?;
    Ok(u32::from_be_bytes(b))
}

fn read_u64(r: &mut impl Read) -> std::io::Result<u64> {
    let mut b = [0u8; 8];
    r.read_exact(&mut b)?;
    Ok(u64::from_be_bytes(b))
}

fn read_vec(r: &mut impl Read, len: usize) -> std::io::Result<Vec<u8>> {
    let mut v = vec![0u8; len];
    r.read_exact(&mut v)?;
    Ok(v)
}

/// A u32 length, then that many bytes; lengths over sled's practical value size are refused
/// so a damaged file cannot make the restore allocate gigabytes.
fn read_len_vec(r: &mut impl Read) -> std::io::Result<Vec<u8>> {
    let len = read_u32(r)? as usize;
    if len > 256 << 20 {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "a value longer than 256 MiB"));
    }
    read_vec(r, len)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn io_error(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::BackupIo(format!("{}: {e}", path.display()))
}

/// Reports progress about every 4 MiB, so a progress bar moves without a callback per key.
struct Reporter {
    progress: Progress,
    last: u64,
}

impl Reporter {
    fn new(phase: Phase, total: u64) -> Self {
        Reporter { progress: Progress { phase, done_bytes: 0, total_bytes: total }, last: 0 }
    }

    fn add(&mut self, bytes: u64, f: &mut dyn FnMut(Progress)) {
        self.progress.done_bytes += bytes;
        // The estimate can be short; the bar then stays just under full until the end.
        if self.progress.done_bytes >= self.progress.total_bytes {
            self.progress.total_bytes = self.progress.done_bytes + self.progress.done_bytes / 100 + 1;
        }
        if self.progress.done_bytes - self.last >= 4 << 20 {
            self.last = self.progress.done_bytes;
            f(self.progress);
        }
    }

    fn phase(&mut self, phase: Phase, f: &mut dyn FnMut(Progress)) {
        self.progress.phase = phase;
        f(self.progress);
    }

    fn done(&mut self, f: &mut dyn FnMut(Progress)) {
        self.progress.total_bytes = self.progress.done_bytes;
        f(self.progress);
    }
}

/// Counts what is read of the backup file, for the restore's progress.
struct CountingReader {
    inner: File,
    read: Arc<std::sync::atomic::AtomicU64>,
}

impl Read for CountingReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

/// Counts and hashes what goes into the file, so the trailer needs no second read, and pushes
/// it to disk as it goes (see `SYNC_EVERY`).
struct HashingWriter {
    inner: BufWriter<File>,
    hash: Sha256,
    bytes: u64,
    unsynced: u64,
}

impl Write for HashingWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.bytes += n as u64;
        self.unsynced += n as u64;
        if self.unsynced >= SYNC_EVERY {
            self.inner.flush()?;
            self.inner.get_ref().sync_data()?;
            self.unsynced = 0;
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tx::TxError;
    use crate::StoreConfig;

    const COUNTER: &[u8] = b"backup_test_last";

    /// One command: a pair of keys in two trees plus a counter, so a restore that kept half a
    /// command, or a later command without an earlier one, shows.
    async fn write_pair(store: &Store, n: u64) {
        store
            .write(Timestamp(0), move |tx| {
                tx.put(Tree::NumberConversationid, &n.to_be_bytes(), vec![7; 100]);
                tx.put(Tree::ContactidConversationid, &n.to_be_bytes(), vec![9; 50]);
                tx.put(Tree::Meta, COUNTER, n.to_be_bytes().to_vec());
                if n.is_multiple_of(3) && n > 0 {
                    tx.remove(Tree::ContactidConversationid, &(n - 1).to_be_bytes());
                    tx.remove(Tree::NumberConversationid, &(n - 1).to_be_bytes());
                }
                Ok::<_, TxError<()>>(())
            })
            .await
            .unwrap();
    }

    fn keys_of(db: &sled::Db, tree: Tree) -> Vec<Vec<u8>> {
        db.open_tree(tree.name()).unwrap().iter().keys().map(|k| k.unwrap().to_vec()).collect()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_backup_taken_under_writes_restores_one_consistent_moment_with_every_write_acked_before_it() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let store = Store::open(&data, &StoreConfig::default()).unwrap();
        for n in 0..3_000 {
            write_pair(&store, n).await;
        }
        store.write_blob("ab12", b"an attachment's bytes").unwrap();
        // Writers keep going while the backup runs, each acknowledged write counted.
        let acked = Arc::new(std::sync::atomic::AtomicU64::new(3_000));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let writer = {
            let (store, acked, stop) = (store.clone(), acked.clone(), stop.clone());
            tokio::spawn(async move {
                let mut n = 3_000;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    write_pair(&store, n).await;
                    n += 1;
                    acked.store(n, std::sync::atomic::Ordering::SeqCst);
                }
            })
        };
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let file = dir.path().join("desk.fdbackup");
        let (backing_up, path) = (store.clone(), file.clone());
        let acked_before_end = acked.clone();
        let summary = tokio::task::spawn_blocking(move || {
            let mut at_finish = 0;
            let mut phases = Vec::new();
            let s = backing_up
                .backup(&path, Timestamp(1), &mut |p| {
                    if p.phase == Phase::Finishing && !phases.contains(&p.phase) {
                        at_finish = acked_before_end.load(std::sync::atomic::Ordering::SeqCst);
                    }
                    phases.push(p.phase);
                })
                .unwrap();
            (s, at_finish)
        })
        .await
        .unwrap();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        writer.await.unwrap();
        let (summary, acked_at_finish) = summary;
        assert!(summary.tail_writes > 0, "writes happened during the backup: {summary:?}");
        assert_eq!(summary.attachments, 1);
        assert_eq!(summary.file_bytes, std::fs::metadata(&file).unwrap().len());
        assert!(!with_suffix(&file, ".tail").exists() && !with_suffix(&file, ".part").exists());

        verify(&file, &mut |_| {}).unwrap();
        let restored = dir.path().join("restored");
        restore_into(&file, &restored, &mut |_| {}).unwrap();
        let db = sled::open(&restored).unwrap();
        let last = u64::from_be_bytes(
            db.open_tree("meta").unwrap().get(COUNTER).unwrap().unwrap().as_ref().try_into().unwrap(),
        );
        assert!(last + 1 >= acked_at_finish, "write {} was acknowledged before the backup ended", acked_at_finish - 1);
        // Exactly the state after command `last`: what each command leaves, and nothing later.
        let expected: Vec<Vec<u8>> = (0..=last)
            .filter(|n| !(*n < last && (n + 1).is_multiple_of(3)))
            .map(|n| n.to_be_bytes().to_vec())
            .collect();
        assert_eq!(keys_of(&db, Tree::NumberConversationid), expected);
        assert_eq!(keys_of(&db, Tree::ContactidConversationid), expected);
        assert!(keys_of(&db, Tree::PartBatchwrites).is_empty(), "the batch journal is never restored");
        assert_eq!(std::fs::read(restored.join("attachments/ab12")).unwrap(), b"an attachment's bytes");
    }

    #[test]
    fn a_damaged_cut_or_foreign_file_is_refused_before_anything_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let file = dir.path().join("b.fdbackup");
        {
            let store = Store::open(&data, &StoreConfig::default()).unwrap();
            store.backup(&file, Timestamp(5), &mut |_| {}).unwrap();
        }
        let good = std::fs::read(&file).unwrap();
        let check = |bytes: &[u8]| {
            std::fs::write(&file, bytes).unwrap();
            let err = restore(&file, &data, Timestamp(9), &mut |_| {}).unwrap_err().to_string();
            assert!(data.join("db").exists() && !dir.path().join("data.restoring").exists());
            err
        };
        let mut flipped = good.clone();
        let middle = flipped.len() / 2;
        flipped[middle] ^= 0x40;
        assert!(check(&flipped).contains("checksum does not match"));
        assert!(check(&good[..good.len() - 3]).contains("cut short"));
        assert!(check(b"PK\x03\x04 a zip file").contains("not a Frontdesk backup"));
        // A newer schema is refused by name.
        let mut newer = good.clone();
        let text = String::from_utf8_lossy(&newer[12..]).into_owned();
        let field = format!("\"schema_version\":{SCHEMA_VERSION}");
        let at = 12 + text.find(&field).unwrap() + "\"schema_version\":".len();
        newer[at] = b'7';
        assert!(check(&newer).contains("schema version 7"));
    }

    #[test]
    fn restore_moves_the_old_folder_aside_and_refuses_a_folder_in_use() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let file = dir.path().join("b.fdbackup");
        let rt = tokio::runtime::Runtime::new().unwrap();
        {
            let store = Store::open(&data, &StoreConfig::default()).unwrap();
            rt.block_on(write_pair(&store, 1));
            store.backup(&file, Timestamp(5), &mut |_| {}).unwrap();
            rt.block_on(write_pair(&store, 2));
            let err = restore(&file, &data, Timestamp(9), &mut |_| {}).unwrap_err().to_string();
            assert!(err.contains("is in use by another Frontdesk"), "{err}");
        }
        let mut phases = Vec::new();
        let (_, aside) = restore(&file, &data, Timestamp(9_000), &mut |p| phases.push(p.phase)).unwrap();
        assert!(phases.contains(&Phase::Checking) && phases.contains(&Phase::Copying));
        let aside = aside.expect("the old data is kept");
        assert!(aside.to_string_lossy().ends_with("data.before-restore-9"), "{}", aside.display());
        let store = Store::open(&data, &StoreConfig::default()).unwrap();
        let counter = store.tree(Tree::Meta).get(COUNTER).unwrap().unwrap();
        assert_eq!(counter.as_ref(), 1u64.to_be_bytes(), "the backup's state, not the later write");
        drop(store);
        let old = Store::open(&aside, &StoreConfig::default()).unwrap();
        assert_eq!(old.tree(Tree::Meta).get(COUNTER).unwrap().unwrap().as_ref(), 2u64.to_be_bytes());
    }
}
