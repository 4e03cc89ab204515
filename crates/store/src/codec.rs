//! Stored values: one format byte, then JSON. The byte lets a later version read (and upgrade)
//! what an earlier one wrote; an unknown byte is an error, never a silent skip.

use crate::StoreError;
use serde::{de::DeserializeOwned, Serialize};

const FORMAT_JSON_V1: u8 = 1;

pub fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    let mut out = vec![FORMAT_JSON_V1];
    // Serializing our own plain structs to a Vec cannot fail.
    serde_json::to_writer(&mut out, value).expect("serializing a stored value");
    out
}

pub fn decode<T: DeserializeOwned>(tree: &'static str, bytes: &[u8]) -> Result<T, StoreError> {
    match bytes.split_first() {
        Some((&FORMAT_JSON_V1, json)) => {
            serde_json::from_slice(json).map_err(|e| StoreError::Corrupt { tree, reason: e.to_string() })
        }
        Some((other, _)) => Err(StoreError::Corrupt { tree, reason: format!("unknown value format {other}") }),
        None => Err(StoreError::Corrupt { tree, reason: "empty value".into() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_start_with_their_format_byte() {
        assert_eq!(encode(&"hi"), b"\x01\"hi\"");
        assert_eq!(decode::<String>("t", b"\x01\"hi\"").unwrap(), "hi");
    }

    #[test]
    fn an_unknown_format_is_an_error_not_a_skip() {
        let err = decode::<String>("agentid_agent", b"\x09{}").unwrap_err();
        assert_eq!(err.to_string(), "stored value in agentid_agent is unreadable: unknown value format 9");
    }
}
