//! SHA-256 fingerprints, in lowercase hex: of rules, policies, scanned files
//! and outputs, so an auditor can tell exactly what a run used and produced.

use std::io::Read;

use sha2::{Digest, Sha256};

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
    out
}

/// 64 hexadecimal digits (a SHA-256 or a key) as bytes.
pub fn parse_hex32(text: &str) -> Option<[u8; 32]> {
    let text = text.trim();
    if text.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(i * 2..i * 2 + 2)?, 16).ok()?;
    }
    Some(out)
}

pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// A running SHA-256, for data written or read in pieces.
#[derive(Default, Clone)]
pub struct Hasher(Sha256);

impl Hasher {
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    pub fn finish_hex(self) -> String {
        hex(&self.0.finalize())
    }
}

impl std::io::Write for Hasher {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Streams a reader through SHA-256, in fixed pieces (bounded memory). The
/// piece is kept by the thread: zeroing a fresh 256 KiB for every file was
/// about 5% of a first scan with `--state` of small files.
pub fn sha256_reader(mut reader: impl Read) -> std::io::Result<(String, u64)> {
    thread_local! {
        static PIECE: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    PIECE.with(|piece| match piece.try_borrow_mut() {
        Ok(mut buf) => {
            if buf.is_empty() {
                buf.resize(256 << 10, 0);
            }
            sha256_pieces(&mut reader, &mut buf)
        }
        // Only if a reader hashed another reader inside its own read.
        Err(_) => sha256_pieces(&mut reader, &mut vec![0u8; 256 << 10]),
    })
}

fn sha256_pieces(reader: &mut impl Read, buf: &mut [u8]) -> std::io::Result<(String, u64)> {
    let mut hasher = Hasher::default();
    let mut total = 0u64;
    loop {
        match reader.read(buf) {
            Ok(0) => break,
            Ok(n) => {
                hasher.update(&buf[..n]);
                total += n as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok((hasher.finish_hex(), total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digests() {
        // FIPS 180-2 test vectors.
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let digest = sha256_hex(b"abc");
        assert_eq!(parse_hex32(&digest).map(|b| hex(&b)), Some(digest));
        assert_eq!(parse_hex32("abc"), None);
        assert_eq!(parse_hex32(&"zz".repeat(32)), None);
        let (streamed, n) = sha256_reader(&b"abc"[..]).unwrap();
        assert_eq!((streamed.as_str(), n), (sha256_hex(b"abc").as_str(), 3));
    }

    /// A reader that hands out at most `step` bytes a call, and is
    /// interrupted once before its first.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
        interrupted: bool,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if !self.interrupted {
                self.interrupted = true;
                return Err(std::io::ErrorKind::Interrupted.into());
            }
            let n = self.step.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn streamed_digest_spans_pieces_and_keeps_nothing_between_readers() {
        // Longer than one piece, read unevenly, then a short reader on the
        // same thread: the kept piece must carry nothing over.
        let long: Vec<u8> = (0..700_000u32).map(|i| (i * 31 % 251) as u8).collect();
        for step in [1 << 20, 4096, 65_537] {
            let reader = Trickle {
                data: &long,
                step,
                interrupted: false,
            };
            let (digest, n) = sha256_reader(reader).unwrap();
            assert_eq!((digest, n), (sha256_hex(&long), long.len() as u64));
        }
        let (short, n) = sha256_reader(&b"abc"[..]).unwrap();
        assert_eq!((short, n), (sha256_hex(b"abc"), 3));
        let failing = (&b"abc"[..]).chain(FailingReader);
        assert!(sha256_reader(failing).is_err());
    }

    struct FailingReader;

    impl Read for FailingReader {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("gone"))
        }
    }
}
