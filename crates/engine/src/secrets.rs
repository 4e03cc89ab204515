//! Secrets: password hashes (argon2id) and random tokens, of which only a SHA-256 is stored.

use crate::EngineError;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use frontdesk_store::TokenHash;
use sha2::{Digest, Sha256};

/// Hashes off the async threads: argon2 is deliberately slow.
pub async fn hash_password(password: String) -> Result<String, EngineError> {
    tokio::task::spawn_blocking(move || {
        let mut salt = [0u8; 16];
        getrandom::getrandom(&mut salt).map_err(|e| EngineError::Internal(format!("no randomness: {e}")))?;
        let salt = SaltString::encode_b64(&salt).map_err(|e| EngineError::Internal(e.to_string()))?;
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| EngineError::Internal(format!("hashing a password: {e}")))
    })
    .await
    .map_err(|e| EngineError::Internal(e.to_string()))?
}

/// Checks a password against a stored hash; with no hash, checks against a fixed one so that an
/// unknown account takes as long to refuse as a wrong password.
pub async fn verify_password(password: String, hash: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| DUMMY_HASH.to_string());
        let Ok(parsed) = PasswordHash::new(&hash) else { return false };
        Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok() && known
    })
    .await
    .unwrap_or(false)
}

/// argon2id of a random password nobody knows, with the default parameters.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Q2Vm4oTbtEVTVoN6Ybrg6ba+LfW0tkbwyuSsqmHK2rg";

/// A new random token (64 hex characters) and the hash under which it is stored.
pub fn new_token() -> Result<(String, TokenHash), EngineError> {
    let token = random_hex::<32>()?;
    let hash = token_hash(&token);
    Ok((token, hash))
}

/// `N` random bytes as hex.
pub fn random_hex<const N: usize>() -> Result<String, EngineError> {
    let mut bytes = [0u8; N];
    getrandom::getrandom(&mut bytes).map_err(|e| EngineError::Internal(format!("no randomness: {e}")))?;
    Ok(hex::encode(bytes))
}

pub fn token_hash(token: &str) -> TokenHash {
    TokenHash(Sha256::digest(token.as_bytes()).into())
}

/// 32 random bytes, in case the desk needs its link key made (see `link_key`).
pub(crate) fn fresh_link_key() -> Result<[u8; 32], EngineError> {
    let mut key = [0u8; 32];
    getrandom::getrandom(&mut key).map_err(|e| EngineError::Internal(format!("no randomness: {e}")))?;
    Ok(key)
}

/// The desk's key for signing links that leave it (`frontdesk_domain::link`); `fresh` becomes
/// the key the first time one is needed.
pub(crate) fn link_key(
    tx: &mut frontdesk_store::Tx<'_>,
    fresh: &[u8; 32],
) -> Result<Vec<u8>, frontdesk_store::TxError<EngineError>> {
    match tx.link_secret()? {
        Some(key) => Ok(key),
        None => {
            tx.put_link_secret(fresh)?;
            Ok(fresh.to_vec())
        }
    }
}
