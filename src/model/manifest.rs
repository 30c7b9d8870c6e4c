//! The sample files' published manifest (name, size, SHA-256) and the check every download of a
//! sample passes before it is kept: a file that does not match is an error, never silently saved.

use sha2::{Digest, Sha256};

/// A SHA-256 digest.
pub type Sha256Digest = [u8; 32];

/// One published file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestEntry {
    /// The file name under `samples/`.
    pub name: String,
    pub bytes: u64,
    pub sha256: Sha256Digest,
}

impl ManifestEntry {
    /// Checks one entry as published (e.g. from `samples/manifest.json`).
    pub fn new(name: &str, bytes: f64, sha256_hex: &str) -> Result<Self, String> {
        let safe = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            && !name.starts_with('.');
        if !safe {
            return Err(format!(
                "manifest: {name:?} is not a plain file name (letters, digits, - _ .)"
            ));
        }
        if !(bytes.is_finite() && bytes >= 0.0 && bytes.fract() == 0.0 && bytes <= 2f64.powi(53)) {
            return Err(format!("manifest: {name} has an impossible size {bytes}"));
        }
        let sha256 = parse_hex_digest(sha256_hex)
            .ok_or_else(|| format!("manifest: {name}'s sha256 is not 64 hexadecimal digits"))?;
        Ok(Self {
            name: name.to_owned(),
            bytes: bytes as u64,
            sha256,
        })
    }
}

/// Lower-case hexadecimal, the way `sha256sum` prints it.
pub fn to_hex(digest: &Sha256Digest) -> String {
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Parses 64 hexadecimal digits (either case) into a digest.
pub fn parse_hex_digest(hex: &str) -> Option<Sha256Digest> {
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    let mut digest = [0u8; 32];
    for (byte, pair) in digest.iter_mut().zip(hex.as_bytes().chunks_exact(2)) {
        let pair = std::str::from_utf8(pair).ok()?;
        *byte = u8::from_str_radix(pair, 16).ok()?;
    }
    Some(digest)
}

/// A file's SHA-256, computed piece by piece as its bytes arrive, and its length.
#[derive(Default, Clone)]
pub struct StreamingHash {
    hasher: Sha256,
    bytes: u64,
}

impl StreamingHash {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn update(&mut self, piece: &[u8]) {
        self.hasher.update(piece);
        self.bytes += piece.len() as u64;
    }

    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    pub fn finish(self) -> (u64, Sha256Digest) {
        (self.bytes, self.hasher.finalize().into())
    }
}

/// Why a downloaded sample does not match its manifest entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    Size {
        expected: u64,
        actual: u64,
    },
    Digest {
        expected: Sha256Digest,
        actual: Sha256Digest,
    },
}

/// Checks what arrived against what was published.
pub fn verify(expected: &ManifestEntry, bytes: u64, sha256: &Sha256Digest) -> Result<(), Mismatch> {
    if bytes != expected.bytes {
        return Err(Mismatch::Size {
            expected: expected.bytes,
            actual: bytes,
        });
    }
    if sha256 != &expected.sha256 {
        return Err(Mismatch::Digest {
            expected: expected.sha256,
            actual: *sha256,
        });
    }
    Ok(())
}
