//! Cheap argon2id hashes for test users. Verification reads the cost from the PHC string, so
//! a user stored with this hash signs in through the real login code in microseconds instead
//! of the production cost per login.
use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// An argon2id PHC string for `password` with the smallest parameters argon2 allows.
pub fn cheap_hash(password: &str) -> String {
    let params = Params::new(Params::MIN_M_COST, 1, 1, None).expect("argon2 params");
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    // A fixed salt is fine: these hashes only ever guard throwaway test databases.
    let salt = SaltString::from_b64("d3V5dS10ZXN0a2l0LXNhbHQ").expect("salt");
    argon
        .hash_password(password.as_bytes(), &salt)
        .expect("hash")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::PasswordVerifier;
    use argon2::password_hash::PasswordHash;

    #[test]
    fn a_cheap_hash_is_argon2id_and_verifies_only_its_password() {
        let h = cheap_hash("test-password-123");
        assert!(h.starts_with("$argon2id$"), "{h}");
        let parsed = PasswordHash::new(&h).unwrap();
        let argon = Argon2::default();
        assert!(argon.verify_password(b"test-password-123", &parsed).is_ok());
        assert!(
            argon
                .verify_password(b"test-password-124", &parsed)
                .is_err()
        );
    }
}
