//! Attachments: each upload's record in `attachmentid_upload`, and its bytes in a file of its
//! own under `attachments/`, written and synced before the record that names it is committed
//! (so a record never points at a file that a crash lost).

use crate::catalogue::Tree;
use crate::codec::encode;
use crate::keys;
use crate::tx::{Tx, TxError};
use crate::{Result, Store, StoreError};
use frontdesk_domain::attachment::Upload;
use frontdesk_domain::Id;
use std::io::Write;
use std::path::PathBuf;

type TxResult<T, E> = std::result::Result<T, TxError<E>>;

/// An upload record with the name of the file holding its bytes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StoredUpload {
    pub upload: Upload,
    /// The file's name under `attachments/`: random hex, never from the uploader.
    pub blob: String,
}

impl Tx<'_> {
    pub fn upload<E>(&self, id: Id) -> TxResult<Option<StoredUpload>, E> {
        self.read(Tree::AttachmentidUpload, &keys::id(id))
    }

    pub fn put_upload<E>(&mut self, upload: &StoredUpload) -> TxResult<(), E> {
        self.put(Tree::AttachmentidUpload, &keys::id(upload.upload.attachment.id), encode(upload));
        Ok(())
    }
}

impl Store {
    pub fn upload(&self, id: Id) -> Result<Option<StoredUpload>> {
        self.get_decoded(Tree::AttachmentidUpload, &keys::id(id))
    }

    /// Writes `bytes` as the file `blob` and syncs it and its folder. Blocking: call it off the
    /// async threads.
    pub fn write_blob(&self, blob: &str, bytes: &[u8]) -> Result<()> {
        let path = self.blob_path(blob)?;
        let fail = |e: std::io::Error| StoreError::Blob(format!("{}: {e}", path.display()));
        let part = path.with_extension("part");
        let mut file = std::fs::File::create(&part).map_err(fail)?;
        file.write_all(bytes).map_err(fail)?;
        file.sync_all().map_err(fail)?;
        std::fs::rename(&part, &path).map_err(fail)?;
        std::fs::File::open(&self.inner.blobs).and_then(|d| d.sync_all()).map_err(fail)
    }

    /// Where the file `blob` is; only names the desk made (hex) are accepted.
    pub fn blob_path(&self, blob: &str) -> Result<PathBuf> {
        if !is_blob_name(blob) {
            return Err(StoreError::Blob(format!("'{blob}' is not a file name the desk made")));
        }
        Ok(self.inner.blobs.join(blob))
    }
}

/// A file name the desk makes for an attachment: hex only, so never a path.
pub(crate) fn is_blob_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= 128 && name.bytes().all(|b| b.is_ascii_hexdigit())
}
