//! Typed key constructors. Keys are big-endian so that sled's byte order is the order of the
//! numbers and times inside them; every constructor is pinned byte for byte by a test.

use crate::conversations::{Timer, TimerKind};
use crate::records::TokenHash;
use frontdesk_domain::conversation::Status;
use frontdesk_domain::view::View;
use frontdesk_domain::{Id, Timestamp};

/// `agentid_agent`, `eventid_event`: the id, 8 bytes big-endian.
pub fn id(id: Id) -> [u8; 8] {
    id.to_be_bytes()
}

/// Reads back a key made by `id`.
pub fn parse_id(key: &[u8]) -> Option<Id> {
    let bytes: [u8; 8] = key.try_into().ok()?;
    Some(Id(u64::from_be_bytes(bytes)))
}

/// `email_agentid`: the normalized (trimmed, lower-case) email address as UTF-8.
pub fn email(normalized: &str) -> &[u8] {
    normalized.as_bytes()
}

/// `tokenhash_session`, `tokenhash_invitation`: SHA-256 of the secret token, 32 bytes. Only the
/// hash is stored, so a copied data folder holds no usable session.
pub fn token(hash: &TokenHash) -> [u8; 32] {
    hash.0
}

/// `contactinbox_conversationid`, `contactid_conversationid`: two ids, 16 bytes big-endian.
pub fn pair(a: Id, b: Id) -> [u8; 16] {
    let mut k = [0u8; 16];
    k[..8].copy_from_slice(&a.to_be_bytes());
    k[8..].copy_from_slice(&b.to_be_bytes());
    k
}

/// `conversationid_seq_message`: conversation id, then the message's sequence number.
pub fn message(conversation: Id, seq: u64) -> [u8; 16] {
    pair(conversation, Id(seq))
}

fn millis(t: Timestamp) -> u64 {
    u64::try_from(t.0).unwrap_or(0)
}

/// `due_conversation_kind`: due time (ms, u64 BE), conversation id, kind (1 byte): earliest first.
pub fn timer(t: &Timer) -> [u8; 17] {
    let mut k = [0u8; 17];
    k[..8].copy_from_slice(&millis(t.due).to_be_bytes());
    k[8..16].copy_from_slice(&t.conversation.to_be_bytes());
    k[16] = t.kind as u8;
    k
}

pub fn parse_timer(key: &[u8]) -> Option<Timer> {
    let key: &[u8; 17] = key.try_into().ok()?;
    let due = u64::from_be_bytes(key[..8].try_into().ok()?);
    let conversation = parse_id(&key[8..16])?;
    let kind = match key[16] {
        1 => TimerKind::Wake,
        2 => TimerKind::Close,
        _ => return None,
    };
    Some(Timer { due: Timestamp(i64::try_from(due).ok()?), conversation, kind })
}

/// `due_emailid`: when the email is tried next (ms, u64 BE), then its id: earliest first.
pub fn email_due(at: Timestamp, email: Id) -> [u8; 16] {
    pair(Id(millis(at)), email)
}

/// The email id at the end of an `email_due` key.
pub fn parse_email_due(key: &[u8]) -> Option<(Timestamp, Id)> {
    let at = u64::from_be_bytes(key.get(..8)?.try_into().ok()?);
    Some((Timestamp(i64::try_from(at).ok()?), parse_id(key.get(8..)?)?))
}

/// Reads a counter value (u64 BE); anything else counts as zero.
pub fn count_value(value: &[u8]) -> u64 {
    <[u8; 8]>::try_from(value).map_or(0, u64::from_be_bytes)
}

/// The status byte of a view's "any status" counter. Since schema 2 no view entry has it: "any
/// status" is read by merging the per-status entries.
pub const ANY_STATUS: u8 = 0xFF;

/// `view_status_count`, and the prefix of a view's entries: view kind (1 byte), its id (8 bytes
/// BE) or label (length byte + UTF-8), then the status code or `ANY_STATUS`.
pub fn view(view: &View, status: Option<Status>) -> Vec<u8> {
    let mut k = Vec::with_capacity(12);
    match view {
        View::All => k.push(0),
        View::Assignee(id) => {
            k.push(1);
            k.extend(id.to_be_bytes());
        }
        View::Unassigned => k.push(2),
        View::Inbox(id) => {
            k.push(3);
            k.extend(id.to_be_bytes());
        }
        View::Team(id) => {
            k.push(4);
            k.extend(id.to_be_bytes());
        }
        View::Label(label) => {
            // Labels are at most 64 bytes (domain::view::label), so the length fits a byte.
            k.push(5);
            k.push(u8::try_from(label.len()).unwrap_or(u8::MAX));
            k.extend(label.as_bytes());
        }
    }
    k.push(status.map_or(ANY_STATUS, Status::code));
    k
}

/// `view_status_recency_conversationid`: the view prefix, then the last activity inverted
/// (`u64::MAX - ms`, so the newest sorts first), then the conversation id inverted the same way
/// (in the same millisecond, the newer conversation first).
pub fn view_entry(v: &View, status: Option<Status>, last_activity: Timestamp, conversation: Id) -> Vec<u8> {
    let mut k = view(v, status);
    k.extend((u64::MAX - millis(last_activity)).to_be_bytes());
    k.extend((u64::MAX - conversation.0).to_be_bytes());
    k
}

/// The conversation id at the end of a `view_entry` key.
pub fn view_entry_conversation(key: &[u8]) -> Option<Id> {
    let tail: [u8; 8] = key.get(key.len().checked_sub(8)?..)?.try_into().ok()?;
    Some(Id(u64::MAX - u64::from_be_bytes(tail)))
}

/// `meta`: a fixed name.
pub mod meta {
    pub const SCHEMA_VERSION: &[u8] = b"schema_version";
    pub const BUSINESS: &[u8] = b"business";
    /// The last conversation number given (u64 BE).
    pub const CONVERSATION_NUMBER: &[u8] = b"conversation_number";
    /// The SMTP settings (`SmtpSettings`).
    pub const SMTP_SETTINGS: &[u8] = b"smtp_settings";
    /// Where scheduled backups go (`BackupSettings`).
    pub const BACKUP_SETTINGS: &[u8] = b"backup_settings";
    /// The desk's label definitions (`Vec<LabelDefinition>`).
    pub const LABELS: &[u8] = b"labels";
    /// The key that signs links sent to customers (32 random bytes), made when first needed.
    pub const LINK_SECRET: &[u8] = b"link_secret";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_keys_are_eight_big_endian_bytes_so_they_sort_by_time() {
        assert_eq!(id(Id(0x0102_0304_0506_0708)), [1, 2, 3, 4, 5, 6, 7, 8]);
        assert!(id(Id(255)) < id(Id(256)), "little-endian would sort 256 before 255");
        assert_eq!(parse_id(&id(Id(42))), Some(Id(42)));
        assert_eq!(parse_id(b"short"), None);
    }

    #[test]
    fn timer_keys_sort_by_due_time_first_and_read_back() {
        let t = Timer { due: Timestamp(0x0102), conversation: Id(7), kind: TimerKind::Close };
        assert_eq!(timer(&t), [0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 7, 2]);
        assert_eq!(parse_timer(&timer(&t)), Some(t));
        let earlier = Timer { due: Timestamp(0x0101), conversation: Id(u64::MAX), kind: TimerKind::Close };
        assert!(timer(&earlier) < timer(&t), "an earlier timer sorts first whatever its conversation");
    }

    #[test]
    fn view_keys_put_the_newest_activity_first() {
        assert_eq!(view(&View::Inbox(Id(9)), Some(Status::Open)), [3, 0, 0, 0, 0, 0, 0, 0, 9, 1]);
        assert_eq!(view(&View::All, None), [0, ANY_STATUS]);
        assert_eq!(view(&View::Label("vip".into()), Some(Status::New)), [5, 3, b'v', b'i', b'p', 0]);
        let old = view_entry(&View::All, None, Timestamp(1000), Id(1));
        let new = view_entry(&View::All, None, Timestamp(2000), Id(1));
        assert!(new < old, "newer activity sorts first");
        assert_eq!(&new[..2], &[0, ANY_STATUS]);
        assert_eq!(new[2..10], (u64::MAX - 2000).to_be_bytes());
        assert_eq!(view_entry_conversation(&new), Some(Id(1)));
        let same_ms_newer = view_entry(&View::All, None, Timestamp(2000), Id(2));
        assert!(same_ms_newer < new, "in the same millisecond the newer conversation sorts first");
        // A label that is a prefix of another never shares its key prefix.
        assert!(!view(&View::Label("vipx".into()), None).starts_with(&view(&View::Label("vip".into()), None)[..5]));
    }

    #[test]
    fn email_due_keys_sort_by_next_attempt_then_id() {
        let k = email_due(Timestamp(0x0102), Id(5));
        assert_eq!(k, [0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 5]);
        assert!(email_due(Timestamp(0x0101), Id(u64::MAX)) < k, "the earlier attempt first");
        assert_eq!(parse_email_due(&k), Some((Timestamp(0x0102), Id(5))));
        assert_eq!(parse_email_due(b"short"), None);
    }

    #[test]
    fn email_keys_are_the_normalized_address() {
        assert_eq!(email("ana@acme.test"), b"ana@acme.test");
    }

    #[test]
    fn token_keys_are_the_hash_itself() {
        let mut h = [0u8; 32];
        h[0] = 0xab;
        h[31] = 0xcd;
        let key = token(&TokenHash(h));
        assert_eq!(key[0], 0xab);
        assert_eq!(key[31], 0xcd);
        assert_eq!(key.len(), 32);
    }
}
