//! Typed key constructors. Keys are big-endian so that sled's byte order is the order of the
//! numbers and times inside them; every constructor is pinned byte for byte by a test.

use crate::records::TokenHash;
use frontdesk_domain::Id;

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

/// `meta`: a fixed name.
pub mod meta {
    pub const SCHEMA_VERSION: &[u8] = b"schema_version";
    pub const BUSINESS: &[u8] = b"business";
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
