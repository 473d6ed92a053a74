//! A file handed to an import, from the browser or the command line: its name (row errors
//! name it) and bytes, hashed here once for the import record.
use sha2::{Digest, Sha256};

#[derive(Debug, Clone)]
pub struct UploadedFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

impl UploadedFile {
    pub fn new(name: impl Into<String>, bytes: Vec<u8>) -> Self {
        Self {
            name: name.into(),
            bytes,
        }
    }

    /// SHA-256 of the bytes as lowercase hex: the file's fingerprint in the import history.
    pub fn sha256(&self) -> String {
        Sha256::digest(&self.bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fingerprint_is_the_sha256_of_the_bytes() {
        let f = UploadedFile::new("a.csv", b"abc".to_vec());
        assert_eq!(
            f.sha256(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
