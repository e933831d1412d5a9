//! Passwords: argon2id hashing and the minimum policy.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};

/// The shortest password accepted. NIST SP 800-63B asks for at least 8; we ask for 10 because
/// the accounts carry other people's trust.
pub const MIN_LENGTH: usize = 10;
/// The longest password accepted, so hashing cost stays bounded.
pub const MAX_LENGTH: usize = 256;

/// Passwords that appear at the top of every breach list. Refused whatever their length.
const COMMON: &[&str] = &[
    "1234567890",
    "12345678910",
    "123456789a",
    "1q2w3e4r5t",
    "aaaaaaaaaa",
    "abcdefghij",
    "password123",
    "password12",
    "password1!",
    "qwertyuiop",
    "iloveyou12",
    "letmein123",
    "welcome123",
    "passw0rd12",
    "administrator",
    "0123456789",
    "1qaz2wsx3edc",
    "qwerty1234",
    "football12",
    "monkey1234",
    "sunshine12",
    "princess12",
    "dragon1234",
    "trustno1234",
    "baseball12",
    "superman12",
    "correcthorsebatterystaple",
    "changeme123",
    "vouchgraph1",
];

/// Checks a new password against the policy; returns the reason it is refused.
pub fn check_policy(password: &str, email: &str) -> Result<(), &'static str> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err("must be at least 10 characters");
    }
    if length > MAX_LENGTH {
        return Err("must be at most 256 characters");
    }
    let lower = password.to_lowercase();
    if COMMON.contains(&lower.as_str()) {
        return Err("is too common; choose another");
    }
    if lower == email.to_lowercase()
        || lower == email.split('@').next().unwrap_or("").to_lowercase()
    {
        return Err("must not be your email");
    }
    Ok(())
}

/// An argon2id hasher with the given memory cost (KiB), two passes, one lane.
pub fn hasher(memory_kib: u32) -> Argon2<'static> {
    let params = Params::new(memory_kib.max(Params::MIN_M_COST), 2, 1, None)
        .expect("argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password to a PHC string (salt and parameters included). CPU-heavy: call it from
/// a blocking thread.
pub fn hash(password: &str, memory_kib: u32) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    hasher(memory_kib)
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
}

/// Verifies a password against a stored PHC string, using the parameters stored with it.
pub fn verify(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash of a random password, verified against when the email is unknown so that a login's
/// timing does not reveal whether an account exists.
pub fn dummy_hash(memory_kib: u32) -> String {
    hash("not-a-real-password-0", memory_kib).expect("hashing a constant works")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let phc = hash("correct horse battery", 1024).unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &phc));
        assert!(!verify("correct horse batterx", &phc));
    }

    #[test]
    fn short_common_and_email_passwords_are_refused() {
        assert!(check_policy("short", "a@b.c").is_err());
        assert!(check_policy("Password123", "a@b.c").is_err());
        assert!(check_policy("anna.smith@example.com", "anna.smith@example.com").is_err());
        assert!(check_policy("tiles and grout 42", "a@b.c").is_ok());
    }
}
