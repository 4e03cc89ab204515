//! Links the desk sends outside itself (the link in a replies email, an attachment's address),
//! signed with the desk's link key (random, kept in the store), so nobody can make one for
//! another conversation or file.

use crate::{DomainError, Id, Timestamp};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How long the link in a replies email opens the conversation.
pub const CONTINUE_LINK_VALID_FOR: std::time::Duration = std::time::Duration::from_secs(30 * 24 * 3600);

/// The token in a replies email's link: it names the conversation and its contact until
/// `expires`. Anyone holding the email can open the conversation, as with any emailed link.
pub fn continue_token(secret: &[u8], conversation: Id, contact: Id, expires: Timestamp) -> String {
    let body = format!("{:x}.{:x}.{:x}", conversation.0, contact.0, expires.0);
    format!("{body}.{}", hex::encode(mac(secret, b"continue", &body).finalize().into_bytes()))
}

/// The conversation and contact a `continue_token` names, if it is genuine and not expired.
pub fn open_continue_token(secret: &[u8], token: &str, now: Timestamp) -> Result<(Id, Id), DomainError> {
    let refused = || DomainError::invalid("token", "this link is not valid: ask for a new reply or start a new chat");
    let (body, signature) = token.trim().rsplit_once('.').ok_or_else(refused)?;
    let given = hex::decode(signature).map_err(|_| refused())?;
    mac(secret, b"continue", body).verify_slice(&given).map_err(|_| refused())?;
    let mut parts = body.split('.').map(|p| u64::from_str_radix(p, 16));
    let (Some(Ok(conversation)), Some(Ok(contact)), Some(Ok(expires)), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(refused());
    };
    if i64::try_from(expires).unwrap_or(i64::MAX) < now.0 {
        return Err(DomainError::invalid(
            "token",
            "this link has expired: open the chat on the website to write to us again",
        ));
    }
    Ok((Id(conversation), Id(contact)))
}

/// An attachment's address on the desk: `/attachments/{id}/{signature}`. It needs no login (an
/// image in a transcript email, an `<img>` in the chat), so the signature is what keeps other
/// files out of reach of anyone who guesses ids.
pub fn attachment_path(secret: &[u8], attachment: Id) -> String {
    format!("/attachments/{}/{}", attachment, attachment_signature(secret, attachment))
}

/// Whether `signature` is the one `attachment_path` gives this attachment.
pub fn attachment_signature_matches(secret: &[u8], attachment: Id, signature: &str) -> bool {
    let Ok(given) = hex::decode(signature) else { return false };
    given.len() == 16 && mac(secret, b"attachment", &attachment.to_string()).verify_truncated_left(&given).is_ok()
}

fn attachment_signature(secret: &[u8], attachment: Id) -> String {
    let full = mac(secret, b"attachment", &attachment.to_string()).finalize().into_bytes();
    hex::encode(&full[..16])
}

/// The HMAC of `body` for one `purpose`, so a signature made for one kind of link never passes
/// for another.
fn mac(secret: &[u8], purpose: &[u8], body: &str) -> Hmac<Sha256> {
    #[allow(clippy::expect_used)]
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(purpose);
    mac.update(b"\0");
    mac.update(body.as_bytes());
    mac
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_continue_link_opens_only_its_own_conversation_until_it_expires() {
        let secret = b"0123456789abcdef0123456789abcdef";
        let expires = Timestamp(10_000);
        let token = continue_token(secret, Id(0xabc), Id(0x42), expires);
        assert_eq!(open_continue_token(secret, &token, Timestamp(9_999)).unwrap(), (Id(0xabc), Id(0x42)));
        assert!(open_continue_token(secret, &token, Timestamp(10_001)).unwrap_err().to_string().contains("expired"));
        assert!(open_continue_token(b"another desk's secret", &token, Timestamp(0)).is_err());
        let other = token.replacen("abc", "abd", 1);
        assert!(open_continue_token(secret, &other, Timestamp(0)).is_err(), "another conversation, same signature");
        for junk in ["", "abc", "a.b.c.zz", "1.2.3.4.5"] {
            assert!(open_continue_token(secret, junk, Timestamp(0)).is_err(), "{junk}");
        }
    }

    #[test]
    fn an_attachment_address_works_only_with_its_own_signature() {
        let secret = b"0123456789abcdef0123456789abcdef";
        let path = attachment_path(secret, Id(77));
        let signature = path.rsplit('/').next().unwrap();
        assert!(path.starts_with("/attachments/77/") && signature.len() == 32, "{path}");
        assert!(attachment_signature_matches(secret, Id(77), signature));
        assert!(!attachment_signature_matches(secret, Id(78), signature), "another file, same signature");
        assert!(!attachment_signature_matches(b"another desk", Id(77), signature));
        assert!(!attachment_signature_matches(secret, Id(77), &signature[..30]), "a shortened signature");
        assert!(!attachment_signature_matches(secret, Id(77), "zz"));
        let continue_token = continue_token(secret, Id(77), Id(1), Timestamp(5));
        let borrowed = continue_token.rsplit('.').next().unwrap();
        assert!(!attachment_signature_matches(secret, Id(77), &borrowed[..32]), "a signature of another kind of link");
    }
}
