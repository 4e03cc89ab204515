//! Files attached to messages: which kinds are taken (read from the bytes, never trusted from
//! the name or the browser), the limits, and the record of each upload until a message takes it.

use crate::{DomainError, Id, Timestamp};
use serde::{Deserialize, Serialize};

/// The largest file a customer or an agent can attach.
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;
pub const MAX_ATTACHMENTS_PER_MESSAGE: usize = 5;
const MAX_NAME_CHARS: usize = 120;

/// A file on a message, as everyone sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct Attachment {
    pub id: Id,
    /// The file's name as uploaded, without any folder.
    pub name: String,
    /// Found from the file's first bytes: `image/png`, `application/pdf`, …
    pub content_type: String,
    pub size: u64,
    /// Where the desk serves it (`/attachments/{id}/{signature}`); no login needed.
    pub url: String,
}

impl Attachment {
    /// Images are shown in the conversation; other files are offered for download.
    pub fn is_image(&self) -> bool {
        self.content_type.starts_with("image/")
    }
}

/// Who uploaded a file: only they can attach it to a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Uploader {
    Agent(Id),
    Contact(Id),
}

/// An upload, kept from the moment its bytes are on disk; `message` is set when a message
/// takes it (once: an attachment belongs to one message).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Upload {
    pub attachment: Attachment,
    pub by: Uploader,
    pub created_at: Timestamp,
    /// The conversation and seq of the message it is attached to.
    pub message: Option<(Id, u64)>,
}

/// What the desk takes, by the type its bytes show.
const TAKEN: &[&str] = &[
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
    "application/zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
];

/// Checks an upload and finds its type from its bytes. Text files have no signature: a `.txt`,
/// `.csv` or `.log` whose bytes are UTF-8 is text. Anything else (an SVG, an HTML page, a
/// program) is refused, so nothing attached can run script when someone opens it.
pub fn check_upload(name: &str, bytes: &[u8]) -> Result<(String, &'static str), DomainError> {
    let name = file_name(name)?;
    if bytes.is_empty() {
        return Err(DomainError::invalid("file", format!("'{name}' is empty")));
    }
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(too_big(&name));
    }
    if let Some(kind) = infer::get(bytes) {
        return match TAKEN.iter().find(|t| **t == kind.mime_type()) {
            Some(t) => Ok((name, t)),
            None => Err(not_taken(&name)),
        };
    }
    let lower = name.to_ascii_lowercase();
    let text = std::str::from_utf8(bytes).is_ok_and(|t| !t.contains('\0'));
    if text && lower.ends_with(".csv") {
        Ok((name, "text/csv; charset=utf-8"))
    } else if text && (lower.ends_with(".txt") || lower.ends_with(".log")) {
        Ok((name, "text/plain; charset=utf-8"))
    } else {
        Err(not_taken(&name))
    }
}

/// The error for a file over `MAX_ATTACHMENT_BYTES` (the HTTP layer stops reading there too).
pub fn too_big(name: &str) -> DomainError {
    DomainError::invalid(
        "file",
        format!("'{name}' is larger than {} MB: send a smaller file", MAX_ATTACHMENT_BYTES / (1024 * 1024)),
    )
}

fn not_taken(name: &str) -> DomainError {
    DomainError::invalid(
        "file",
        format!(
            "'{name}' is not a kind of file the chat takes: send an image (PNG, JPEG, GIF, WebP), a PDF, \
             an Office or OpenDocument file, a ZIP, or a .txt or .csv file"
        ),
    )
}

/// A file's name without any folder part or control characters, at most 120 characters.
pub fn file_name(raw: &str) -> Result<String, DomainError> {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = base.chars().filter(|c| !c.is_control()).collect::<String>().trim().to_string();
    if clean.is_empty() || clean.chars().all(|c| c == '.') {
        return Err(DomainError::invalid("name", "give the file's name, like photo.jpg"));
    }
    Ok(clean.chars().take(MAX_NAME_CHARS).collect())
}

/// The attachments a message takes, by id: at most `MAX_ATTACHMENTS_PER_MESSAGE`, each once.
pub fn attachment_ids(ids: &[Id]) -> Result<Vec<Id>, DomainError> {
    let mut out: Vec<Id> = Vec::with_capacity(ids.len());
    for id in ids {
        if !out.contains(id) {
            out.push(*id);
        }
    }
    if out.len() > MAX_ATTACHMENTS_PER_MESSAGE {
        return Err(DomainError::invalid(
            "attachments",
            format!("a message can carry at most {MAX_ATTACHMENTS_PER_MESSAGE} files"),
        ));
    }
    Ok(out)
}

/// Whether `by` may put this upload on a message now.
pub fn may_attach(upload: &Upload, by: Uploader) -> Result<(), DomainError> {
    if upload.by != by {
        return Err(DomainError::invalid(
            "attachments",
            format!("no upload of yours has the id {}", upload.attachment.id),
        ));
    }
    if upload.message.is_some() {
        return Err(DomainError::invalid(
            "attachments",
            format!("'{}' is on another message already: upload it again", upload.attachment.name),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

    #[test]
    fn the_type_comes_from_the_bytes_not_the_name() {
        assert_eq!(check_upload("C:\\Users\\joe\\photo.txt", PNG).unwrap(), ("photo.txt".into(), "image/png"));
        assert_eq!(check_upload("invoice.pdf", b"%PDF-1.7\n...").unwrap().1, "application/pdf");
        assert_eq!(check_upload("orders.csv", b"id,total\n1,9.50\n").unwrap().1, "text/csv; charset=utf-8");
        assert_eq!(check_upload("notes.txt", "¿qué tal?".as_bytes()).unwrap().1, "text/plain; charset=utf-8");
        let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
        for (name, bytes) in [
            ("logo.png", &svg[..]),
            ("page.txt.html", b"<html><script>alert(1)</script>"),
            ("setup.exe", b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0"),
            ("notes.txt", b"\xff\xfe\0binary"),
        ] {
            let err = check_upload(name, bytes).unwrap_err().to_string();
            assert!(err.contains("is not a kind of file the chat takes"), "{name}: {err}");
        }
    }

    #[test]
    fn empty_huge_or_nameless_files_say_what_is_wrong() {
        assert_eq!(check_upload("a.txt", b"").unwrap_err().to_string(), "file: 'a.txt' is empty");
        let big = vec![b'a'; MAX_ATTACHMENT_BYTES + 1];
        assert!(check_upload("big.txt", &big).unwrap_err().to_string().contains("larger than 10 MB"));
        assert!(check_upload("../", PNG).unwrap_err().to_string().starts_with("name:"));
        assert_eq!(file_name("a/b/..\u{0007}x.png").unwrap(), "..x.png");
        assert_eq!(file_name(&"é".repeat(300)).unwrap().chars().count(), 120);
    }

    #[test]
    fn an_upload_goes_on_one_message_of_its_uploader() {
        let attachment =
            Attachment { id: Id(5), name: "a.png".into(), content_type: "image/png".into(), size: 3, url: "/x".into() };
        let mut upload = Upload { attachment, by: Uploader::Contact(Id(1)), created_at: Timestamp(0), message: None };
        assert!(may_attach(&upload, Uploader::Contact(Id(1))).is_ok());
        assert!(may_attach(&upload, Uploader::Contact(Id(2))).is_err(), "another customer's upload");
        assert!(may_attach(&upload, Uploader::Agent(Id(1))).is_err());
        upload.message = Some((Id(9), 3));
        assert!(may_attach(&upload, Uploader::Contact(Id(1))).unwrap_err().to_string().contains("on another message"));
        assert_eq!(attachment_ids(&[Id(1), Id(1), Id(2)]).unwrap(), vec![Id(1), Id(2)]);
        assert!(attachment_ids(&(0..6).map(Id).collect::<Vec<_>>()).is_err());
    }
}
