//! Attachments: an upload is checked (its type read from its bytes), written to its own file and
//! synced, and only then recorded; a message takes its author's own uploads, each once.

use crate::secrets::{fresh_link_key, link_key, random_hex};
use crate::{Desk, EngineError, Result};
use frontdesk_domain::attachment::{self, Attachment, Upload, Uploader};
use frontdesk_domain::{link, DomainError, Id};
use frontdesk_store::{StoredUpload, Tx, TxError};
use std::path::PathBuf;

type TxResult<T> = std::result::Result<T, TxError<EngineError>>;

impl Desk {
    /// Keeps an uploaded file for `by` to attach to a message.
    pub async fn upload(&self, by: Uploader, name: &str, bytes: Vec<u8>) -> Result<Attachment> {
        let (name, content_type) = attachment::check_upload(name, &bytes)?;
        let size = bytes.len() as u64;
        let blob = random_hex::<16>()?;
        let store = self.store().clone();
        let written = blob.clone();
        tokio::task::spawn_blocking(move || store.write_blob(&written, &bytes))
            .await
            .map_err(|e| EngineError::Internal(e.to_string()))??;
        let fresh = fresh_link_key()?;
        self.command(move |tx| {
            let key = link_key(tx, &fresh)?;
            let id = tx.new_id();
            let attachment = Attachment {
                id,
                name: name.clone(),
                content_type: content_type.to_string(),
                size,
                url: link::attachment_path(&key, id),
            };
            let upload = Upload { attachment: attachment.clone(), by, created_at: tx.now(), message: None };
            tx.put_upload(&StoredUpload { upload, blob: blob.clone() })?;
            Ok(attachment)
        })
        .await
    }

    /// The attachment at `/attachments/{id}/{signature}` and its file, if the signature is its own.
    pub fn attachment_file(&self, id: Id, signature: &str) -> Result<(Attachment, PathBuf)> {
        let key = self.store().link_secret()?.ok_or(EngineError::NotFound("attachment"))?;
        if !link::attachment_signature_matches(&key, id, signature) {
            return Err(EngineError::NotFound("attachment"));
        }
        let stored = self.store().upload(id)?.ok_or(EngineError::NotFound("attachment"))?;
        Ok((stored.upload.attachment, self.store().blob_path(&stored.blob)?))
    }
}

/// The uploads a new message takes, checked: `by`'s own, not on another message yet.
pub(crate) fn take_uploads(tx: &Tx<'_>, ids: &[Id], by: Uploader) -> TxResult<Vec<StoredUpload>> {
    let refuse = |e: DomainError| TxError::Abort(EngineError::Invalid(e));
    let mut taken = Vec::with_capacity(ids.len());
    for id in ids {
        let stored = tx.upload(*id)?.ok_or_else(|| {
            refuse(DomainError::invalid("attachments", format!("no upload of yours has the id {id}")))
        })?;
        attachment::may_attach(&stored.upload, by).map_err(refuse)?;
        taken.push(stored);
    }
    Ok(taken)
}

/// Records that the message `seq` of `conversation` took these uploads.
pub(crate) fn mark_attached(tx: &mut Tx<'_>, uploads: Vec<StoredUpload>, conversation: Id, seq: u64) -> TxResult<()> {
    for mut stored in uploads {
        stored.upload.message = Some((conversation, seq));
        tx.put_upload(&stored)?;
    }
    Ok(())
}
