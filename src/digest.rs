//! SHA-256 fingerprints, in lowercase hex: of rules, policies, scanned files
//! and outputs, so an auditor can tell exactly what a run used and produced.

use std::cell::RefCell;
use std::io::{ErrorKind, Read, Seek, SeekFrom};
use std::rc::Rc;

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

/// Streams a reader through SHA-256, in fixed pieces (bounded memory).
pub fn sha256_reader(mut reader: impl Read) -> std::io::Result<(String, u64)> {
    let mut hasher = Hasher::default();
    let total = hash_rest(&mut reader, &mut hasher)?;
    Ok((hasher.finish_hex(), total))
}

/// Feeds `hasher` what is left of `reader`, returning how many bytes that
/// was. The piece read into is kept by the thread: zeroing a fresh 256 KiB
/// for every file was about 5% of a first scan with `--state` of small
/// files.
fn hash_rest(reader: &mut impl Read, hasher: &mut Hasher) -> std::io::Result<u64> {
    thread_local! {
        static PIECE: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    }
    PIECE.with(|piece| match piece.try_borrow_mut() {
        Ok(mut buf) => {
            if buf.is_empty() {
                buf.resize(256 << 10, 0);
            }
            hash_pieces(reader, &mut buf, hasher)
        }
        // Only if a reader hashed another reader inside its own read.
        Err(_) => hash_pieces(reader, &mut vec![0u8; 256 << 10], hasher),
    })
}

fn hash_pieces(
    reader: &mut impl Read,
    buf: &mut [u8],
    hasher: &mut Hasher,
) -> std::io::Result<u64> {
    let mut total = 0u64;
    loop {
        match reader.read(buf) {
            Ok(0) => return Ok(total),
            Ok(n) => {
                hasher.update(&buf[..n]);
                total += n as u64;
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
}

/// A source hashed as it is read, so a file read for its content is not
/// read a second time for its fingerprint. The bytes read in order from the
/// start are hashed once, however the reader seeks back over them (as the
/// format sniffer does); [`HashedSource::finish`] then reads, from the same
/// open file, only what the reading skipped or left unread. A text or CSV
/// file is so hashed in the one pass that reads it; a zip, read from its
/// end, is hashed much as if read twice.
pub struct HashedSource<R>(Rc<RefCell<Hashing<R>>>);

struct Hashing<R> {
    src: R,
    /// Where `src` is; not known after a seek failed, until the next.
    pos: Option<u64>,
    /// How far from the start the bytes have been hashed.
    hashed: u64,
    hasher: Hasher,
}

impl<R> HashedSource<R> {
    pub fn new(src: R) -> HashedSource<R> {
        HashedSource(Rc::new(RefCell::new(Hashing {
            src,
            pos: Some(0),
            hashed: 0,
            hasher: Hasher::default(),
        })))
    }

    /// Another handle on the same source and hash: one is read, the other
    /// finishes.
    pub fn share(&self) -> HashedSource<R> {
        HashedSource(Rc::clone(&self.0))
    }
}

impl<R: Read + Seek> HashedSource<R> {
    /// The SHA-256 of the whole source and its length, reading what was not
    /// yet hashed.
    pub fn finish(self) -> std::io::Result<(String, u64)> {
        let mut h = self.0.borrow_mut();
        let Hashing {
            src,
            pos,
            hashed,
            hasher,
        } = &mut *h;
        *pos = None;
        src.seek(SeekFrom::Start(*hashed))?;
        let rest = hash_rest(src, hasher)?;
        let total = *hashed + rest;
        // Left as if read to the end, should a handle still be in use.
        (*pos, *hashed) = (Some(total), total);
        Ok((std::mem::take(hasher).finish_hex(), total))
    }
}

impl<R: Read> Read for HashedSource<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut h = self.0.borrow_mut();
        let n = h.src.read(buf)?;
        let Some(start) = h.pos else {
            return Ok(n);
        };
        let end = start + n as u64;
        if start <= h.hashed && h.hashed < end {
            let from = (h.hashed - start) as usize;
            h.hasher.update(&buf[from..n]);
            h.hashed = end;
        }
        h.pos = Some(end);
        Ok(n)
    }
}

impl<R: Seek> Seek for HashedSource<R> {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        let mut h = self.0.borrow_mut();
        h.pos = None;
        let pos = h.src.seek(to)?;
        h.pos = Some(pos);
        Ok(pos)
    }
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

    /// A source that counts the bytes read from it.
    struct Counted {
        data: std::io::Cursor<Vec<u8>>,
        read: std::rc::Rc<std::cell::Cell<u64>>,
    }

    impl Read for Counted {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.data.read(buf)?;
            self.read.set(self.read.get() + n as u64);
            Ok(n)
        }
    }

    impl Seek for Counted {
        fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
            self.data.seek(to)
        }
    }

    fn counted(data: &[u8]) -> (HashedSource<Counted>, std::rc::Rc<std::cell::Cell<u64>>) {
        let read = std::rc::Rc::new(std::cell::Cell::new(0));
        let src = Counted {
            data: std::io::Cursor::new(data.to_vec()),
            read: std::rc::Rc::clone(&read),
        };
        (HashedSource::new(src), read)
    }

    fn sample(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7 % 253) as u8).collect()
    }

    #[test]
    fn a_source_read_in_order_is_hashed_in_that_one_pass() {
        let data = sample(300_000);
        // As the sniffer then a text reader do: a head, back to the start,
        // then everything.
        let (src, read) = counted(&data);
        let mut reader = src.share();
        let mut head = vec![0; 65_536];
        reader.read_exact(&mut head).unwrap();
        reader.seek(SeekFrom::Start(0)).unwrap();
        std::io::copy(&mut reader, &mut std::io::sink()).unwrap();
        drop(reader);
        let before = read.get();
        let digest = src.finish().unwrap();
        assert_eq!(digest, (sha256_hex(&data), data.len() as u64));
        assert_eq!(read.get(), before, "nothing is read again");
        assert_eq!(before, 65_536 + data.len() as u64);
    }

    #[test]
    fn what_the_reading_skipped_or_left_is_read_at_the_end() {
        let data = sample(100_000);
        // As a zip is read: its head, its end, then a member between.
        let (src, read) = counted(&data);
        let mut reader = src.share();
        let mut piece = vec![0; 1000];
        reader.read_exact(&mut piece).unwrap();
        reader.seek(SeekFrom::End(-22)).unwrap();
        reader.read_exact(&mut piece[..22]).unwrap();
        reader.seek(SeekFrom::Start(40_000)).unwrap();
        reader.read_exact(&mut piece).unwrap();
        let digest = src.finish().unwrap();
        assert_eq!(digest, (sha256_hex(&data), data.len() as u64));
        // The first 1,000 bytes were hashed as read; the rest is read again.
        assert_eq!(read.get(), 1000 + 22 + 1000 + (data.len() as u64 - 1000));
        // Read no further, or never read at all.
        for stop in [0, 1, 99_999, 100_000] {
            let (src, _) = counted(&data);
            let mut reader = src.share();
            std::io::copy(&mut reader.by_ref().take(stop), &mut std::io::sink()).unwrap();
            assert_eq!(src.finish().unwrap().0, sha256_hex(&data));
        }
    }

    #[derive(Debug, Clone)]
    enum Op {
        Read(usize),
        Seek(SeekFrom),
    }

    fn op() -> impl proptest::strategy::Strategy<Value = Op> {
        use proptest::prelude::*;
        prop_oneof![
            (0usize..5000).prop_map(Op::Read),
            (0u64..6000).prop_map(|p| Op::Seek(SeekFrom::Start(p))),
            // Some of these fail (before the start), leaving the source
            // where it was.
            (-6000i64..3000).prop_map(|d| Op::Seek(SeekFrom::Current(d))),
            (-6000i64..10).prop_map(|d| Op::Seek(SeekFrom::End(d))),
        ]
    }

    proptest::proptest! {
        /// However a reader reads and seeks, the digest is the source's.
        #[test]
        fn any_reading_gives_the_whole_sources_digest(
            len in 0usize..5000,
            ops in proptest::collection::vec(op(), 0..40),
        ) {
            let data = sample(len);
            let (src, _) = counted(&data);
            let mut reader = src.share();
            for op in ops {
                match op {
                    Op::Read(n) => {
                        let mut buf = vec![0; n];
                        let _ = reader.read(&mut buf);
                    }
                    Op::Seek(to) => {
                        let _ = reader.seek(to);
                    }
                }
            }
            proptest::prop_assert_eq!(src.finish().unwrap(), (sha256_hex(&data), len as u64));
        }
    }
}
