//! Session tokens and the session cookie. The cookie holds 32 random bytes (hex); the database
//! holds only their SHA-256, so a leaked database does not leak live sessions.
use axum::http::HeaderMap;
use axum::http::header::COOKIE;
use sha2::{Digest, Sha256};

pub(crate) const COOKIE_NAME: &str = "wuyu_session";

/// 32 random bytes as 64 lowercase hex characters.
pub(crate) fn random_token() -> Result<String, getrandom::Error> {
    let mut buf = [0u8; 32];
    getrandom::fill(&mut buf)?;
    Ok(hex(&buf))
}

pub(crate) fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// The session token the request carries, if it has the right shape.
pub(crate) fn token_from_headers(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.trim().to_string())
        .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `Set-Cookie` value for a new session.
pub(crate) fn set_cookie(token: &str, max_age: i64, secure: bool) -> String {
    let mut c =
        format!("{COOKIE_NAME}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}");
    if secure {
        c.push_str("; Secure");
    }
    c
}

/// `Set-Cookie` value that removes the session cookie.
pub(crate) fn clear_cookie(secure: bool) -> String {
    set_cookie("", 0, secure)
}

/// Compares secrets without an early exit, so timing does not reveal a matching prefix.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn tokens_are_64_hex_and_distinct() {
        let a = random_token().unwrap();
        let b = random_token().unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }

    #[test]
    fn cookie_is_found_among_others_and_checked() {
        let t = "ab".repeat(32);
        let mut h = HeaderMap::new();
        h.append(COOKIE, HeaderValue::from_static("theme=dark"));
        h.append(
            COOKIE,
            HeaderValue::from_str(&format!("x=1; {COOKIE_NAME}={t}")).unwrap(),
        );
        assert_eq!(token_from_headers(&h), Some(t));
        let mut bad = HeaderMap::new();
        bad.insert(COOKIE, HeaderValue::from_static("wuyu_session=short"));
        assert_eq!(token_from_headers(&bad), None);
    }

    #[test]
    fn cookie_attributes() {
        let c = set_cookie("t", 60, true);
        for part in [
            "HttpOnly",
            "SameSite=Strict",
            "Path=/",
            "Secure",
            "Max-Age=60",
        ] {
            assert!(c.contains(part), "{c}");
        }
        assert!(!set_cookie("t", 60, false).contains("Secure"));
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
