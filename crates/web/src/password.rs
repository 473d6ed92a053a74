//! Password hashing (argon2id through `password-auth`). Both functions are CPU-heavy on
//! purpose: async callers run them inside `tokio::task::spawn_blocking`.
use std::sync::LazyLock;

/// Hashes a password as a PHC string (argon2id, random salt).
pub fn hash_password(p: &str) -> String {
    password_auth::generate_hash(p)
}

/// Does `p` match `hash`? A malformed hash never matches.
pub fn verify_password(p: &str, hash: &str) -> bool {
    password_auth::verify_password(p, hash).is_ok()
}

/// A hash with the current parameters that no user has: sign-in verifies against it when the
/// username is unknown, so the response time does not reveal which usernames exist.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password("wuyu: no such user, timing equaliser"));

/// Spends the same work as a real verification and always fails.
pub(crate) fn verify_dummy(p: &str) -> bool {
    let _ = verify_password(p, &DUMMY_HASH);
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_verifies_only_the_same_password() {
        let h = hash_password("correct horse battery");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("correct horse batterY", &h));
        assert!(!verify_password("x", "not a hash"));
        assert!(!verify_dummy("wuyu: no such user, timing equaliser"));
    }
}
